import type { Build, CharacterParams } from './params.ts';

/** How much wider and thicker than average a build is (limbs and torso alike). */
const BUILD_WIDTH: Record<Build, number> = { slim: 0.85, average: 1, sturdy: 1.22 };

/**
 * Every measurement of the body, in metres, Y up, feet on y = 0, facing +Z (glTF's front). The top
 * of the head is exactly at `height`: that is what "height" means, as for a person (hair and a hat
 * come on top). A bigger head takes its extra height from the body, not from the total.
 */
export interface Proportions {
  height: number;
  /** The head's full height, width (X) and depth (Z); its bottom is at `headBottom`. */
  headH: number;
  headW: number;
  headD: number;
  headBottom: number;
  neckR: number;
  shoulderY: number;
  /** Where the shirt starts: the torso's pivot. */
  waistY: number;
  /** The hip joints' height: the top of the legs. */
  hipY: number;
  shoulderW: number;
  torsoD: number;
  hipW: number;
  armR: number;
  /** The shoulder joint's distance from the middle. */
  shoulderX: number;
  upperArm: number;
  forearm: number;
  hand: number;
  legR: number;
  legX: number;
  footH: number;
  footL: number;
  footW: number;
}

export function proportions(p: CharacterParams): Proportions {
  const h = p.height;
  const b = BUILD_WIDTH[p.build];
  const headH = 0.13 * h * p.headSize;
  const headBottom = h - headH;
  const shoulderY = headBottom - 0.035 * h;
  const hipY = 0.6 * shoulderY;
  const shoulderW = 0.245 * h * b;
  const armR = 0.03 * h * b;
  const hipW = 0.185 * h * b;
  const legR = 0.045 * h * b;
  return {
    height: h,
    headH,
    headW: 0.8 * headH,
    headD: 0.86 * headH,
    headBottom,
    neckR: 0.034 * h * b,
    shoulderY,
    waistY: hipY + 0.04 * h,
    hipY,
    shoulderW,
    torsoD: 0.12 * h * b,
    hipW,
    armR,
    shoulderX: shoulderW / 2 + 0.8 * armR,
    upperArm: 0.175 * h,
    forearm: 0.15 * h,
    hand: 0.085 * h,
    legR,
    // Legs flush with the hips' sides, whatever the build.
    legX: hipW / 2 - legR,
    footH: 0.045 * h,
    footL: 0.145 * h,
    footW: 0.06 * h * Math.sqrt(b),
  };
}
