import type { Palette } from './character.ts';
import type { CharacterParams } from './params.ts';
import type { Proportions } from './proportions.ts';
import type { Part } from './scene.ts';
import { box, cylinder, ellipsoid, GeometryBuilder, loft, mapped, rotateX } from './shapes.ts';

/*
 * Hair, hat and glasses are built in the head's space (origin at the bottom of the head, centred);
 * the backpack in the torso's (origin at the waist). Sizes follow the head and body, so every
 * accessory fits every height, build and head size.
 */

/** The cap is tilted back so it clears the forehead and covers the back of the head. */
const CAP_TILT = 0.35;

function cap(g: GeometryBuilder, s: Proportions) {
  const ry = s.headH / 2;
  ellipsoid(
    mapped(g, rotateX(-CAP_TILT, [0, ry + 0.01 * s.headH, -0.01 * s.headH])),
    [0, 0, 0],
    [(s.headW / 2) * 1.07, ry * 1.06, (s.headD / 2) * 1.08],
    10,
    4,
    0.05,
  );
}

export function hair(p: CharacterParams, s: Proportions, colours: Palette): Part | null {
  if (p.hair === 'none') return null;
  const g = new GeometryBuilder();
  const rz = s.headD / 2;
  if (p.hair === 'short' || p.hair === 'long') cap(g, s);
  if (p.hair === 'long') {
    // Falls from the crown over the back of the neck onto the shoulders, lying on the torso's back.
    const below = s.headBottom - s.shoulderY + 0.03 * s.height;
    const thick = 0.02 * s.height;
    loft(g, [
      { y: -below, w: s.headW * 1.0, d: thick, z: -(s.torsoD / 2 + thick / 2) },
      { y: s.headH * 0.25, w: s.headW * 1.12, d: rz * 0.8, z: -rz * 0.72 },
      { y: s.headH * 0.75, w: s.headW * 1.02, d: rz * 0.9, z: -rz * 0.5 },
    ]);
  }
  if (p.hair === 'mohawk') {
    // Spikes along the midline, each standing on the skull's surface; a hat presses them down.
    const spike = (p.hat ? 0.12 : 0.3) * s.headH;
    const ry = s.headH / 2;
    for (const degrees of [-25, 2, 29, 56, 83, 110]) {
      const phi = (degrees * Math.PI) / 180;
      const base: [number, number, number] = [0, ry + ry * 0.92 * Math.cos(phi), -rz * 0.92 * Math.sin(phi)];
      const length = spike * (0.75 + 0.25 * Math.cos(phi - 0.5));
      cylinder(mapped(g, rotateX(-phi, base)), [0, 0, 0], length, s.headW * 0.085, s.headW * 0.015, 4, 2.2);
    }
  }
  return {
    name: `Hair${p.hair[0]!.toUpperCase()}${p.hair.slice(1)}`,
    geometry: g.build(),
    material: colours.hair,
  };
}

export function hat(p: CharacterParams, s: Proportions, colours: Palette): { crown: Part; band: Part } {
  const lift = p.hair === 'none' ? 1 : 1.1;
  const rx = (s.headW / 2) * 0.95 * lift;
  const depth = s.headD / s.headW;
  const base = s.headH * (0.5 + 0.275) + (lift - 1) * 0.4 * s.headH;
  const crownH = s.headH * 0.42;
  const brimH = s.headH * 0.03;
  const crown = new GeometryBuilder();
  cylinder(crown, [0, base, 0], brimH, rx * 1.85, rx * 1.85, 12, depth);
  cylinder(crown, [0, base + brimH, 0], crownH, rx, rx * 0.9, 12, depth);
  const band = cylinder(
    new GeometryBuilder(),
    [0, base + brimH, 0],
    crownH * 0.22,
    rx * 1.04,
    rx * 1.02,
    12,
    depth,
  );
  return {
    crown: { name: 'Hat', geometry: crown.build(), material: colours.hat },
    band: { name: 'HatBand', geometry: band.build(), material: colours.hatBand },
  };
}

export function glasses(s: Proportions, colours: Palette): Part {
  const g = new GeometryBuilder();
  const rx = s.headW / 2;
  const rz = s.headD / 2;
  const y = s.headH * 0.55;
  const t = s.headH * 0.022;
  const z = rz * 0.93 + t;
  const lensW = s.headW * 0.3;
  const lensH = s.headH * 0.17;
  for (const side of [-1, 1]) {
    const x = side * s.headW * 0.2;
    // A frame of four bars, open in the middle so the eyes show through.
    box(g, [x, y + lensH / 2, z], [lensW, t, t]);
    box(g, [x, y - lensH / 2, z], [lensW, t, t]);
    box(g, [x - lensW / 2 + t / 2, y, z], [t, lensH - t, t]);
    box(g, [x + lensW / 2 - t / 2, y, z], [t, lensH - t, t]);
    // From the frame's outer corner round to the side of the head, then back to the ear.
    const outer = side * (s.headW * 0.2 + lensW / 2);
    const temple = side * rx * 1.02;
    box(g, [(outer + temple) / 2, y + lensH / 2 - t, z], [Math.abs(temple - outer) + t, t, t]);
    box(g, [temple, y + lensH / 2 - t, z / 2 - rz * 0.3], [t, t, z + rz * 0.6]);
  }
  box(g, [0, y + lensH * 0.2, z], [s.headW * 0.4 - lensW + t * 2, t, t]);
  return { name: 'Glasses', geometry: g.build(), material: colours.glasses };
}

export function backpack(s: Proportions, colours: Palette): Part {
  const g = new GeometryBuilder();
  const top = s.shoulderY - s.waistY;
  const w = s.shoulderW * 0.62;
  const depth = 0.09 * s.height * Math.sqrt(s.torsoD / (0.12 * s.height));
  const back = -s.torsoD * 0.49;
  const bottom = top * 0.22;
  const lid = top * 0.88;
  loft(g, [
    { y: bottom, w: w * 0.95, d: depth * 0.9, z: back - depth * 0.45 },
    { y: bottom + 0.02 * s.height, w, d: depth, z: back - depth / 2 },
    { y: lid - 0.03 * s.height, w, d: depth, z: back - depth / 2 },
    { y: lid, w: w * 0.9, d: depth * 0.75, z: back - depth * 0.45 },
  ]);
  // A front pocket on the outside of the pack.
  box(
    g,
    [0, bottom + (lid - bottom) * 0.32, back - depth - depth * 0.12],
    [w * 0.7, (lid - bottom) * 0.4, depth * 0.3],
  );
  const strapW = 0.028 * s.height;
  const strapT = 0.012 * s.height;
  const chestY = top - 0.04 * s.height;
  for (const side of [-1, 1]) {
    const x = side * s.shoulderW * 0.27;
    // Down the chest, following the shirt's front.
    loft(g, [
      { y: top * 0.3, x, w: strapW, d: strapT, z: s.torsoD * 0.44 + strapT / 2 },
      { y: chestY, x, w: strapW, d: strapT, z: s.torsoD * 0.5 + strapT / 2 },
    ]);
    // Over the shoulder to the pack.
    box(g, [x, top - 0.012 * s.height, -strapT / 2], [strapW, 0.04 * s.height, s.torsoD + strapT * 2]);
  }
  return { name: 'Backpack', geometry: g.build(), material: colours.backpack };
}
