import { backpack, glasses, hair, hat } from './accessories.ts';
import type { CharacterParams } from './params.ts';
import { type Proportions, proportions } from './proportions.ts';
import type { Material, Part, SceneNode } from './scene.ts';
import { box, cylinder, ellipsoid, GeometryBuilder, loft, type Vec3 } from './shapes.ts';

/**
 * Colours the buyer does not choose. Near-black details get distinct values on purpose: one material
 * per colour, and a renderer can still tell eyes from glasses.
 */
const FIXED = {
  shoes: [58, 42, 32],
  eyes: [36, 26, 20],
  glasses: [17, 17, 17],
  hat: [91, 70, 54],
  hatBand: [122, 31, 31],
  backpack: [107, 122, 58],
} as const;

export type Palette = Record<
  'skin' | 'shirt' | 'trousers' | 'hair' | 'shoes' | 'eyes' | 'glasses' | 'hat' | 'hatBand' | 'backpack',
  Material
>;

function palette(p: CharacterParams): Palette {
  const m = (name: string, colour: Material['colour'], roughness = 0.85): Material => ({
    name,
    colour,
    roughness,
  });
  return {
    skin: m('Skin', p.colours.skinColour, 0.7),
    shirt: m('Shirt', p.colours.shirtColour),
    trousers: m('Trousers', p.colours.trousersColour),
    hair: m('Hair', p.colours.hairColour, 0.9),
    shoes: m('Shoes', FIXED.shoes, 0.6),
    eyes: m('Eyes', FIXED.eyes, 0.3),
    glasses: m('Glasses', FIXED.glasses, 0.4),
    hat: m('Hat', FIXED.hat, 0.95),
    hatBand: m('HatBand', FIXED.hatBand),
    backpack: m('Backpack', FIXED.backpack, 0.9),
  };
}

/** A node placed in world coordinates; `place` turns positions into translations from the parent. */
export interface Draft {
  name: string;
  pivot: Vec3;
  part?: Part;
  children?: Draft[];
}

function place(d: Draft, parent: Vec3 = [0, 0, 0]): SceneNode {
  return {
    name: d.name,
    translation: [d.pivot[0] - parent[0], d.pivot[1] - parent[1], d.pivot[2] - parent[2]],
    ...(d.part ? { part: d.part } : {}),
    children: (d.children ?? []).map((c) => place(c, d.pivot)),
  };
}

function head(s: Proportions, colours: Palette): Part {
  const rx = s.headW / 2;
  const ry = s.headH / 2;
  const rz = s.headD / 2;
  const g = new GeometryBuilder();
  ellipsoid(g, [0, ry, 0], [rx, ry, rz], 10, 8);
  box(g, [0, s.headH * 0.42, rz * 0.95], [s.headW * 0.1, s.headH * 0.12, rz * 0.2]);
  for (const side of [-1, 1])
    box(g, [side * rx * 0.97, s.headH * 0.48, 0], [s.headW * 0.08, s.headH * 0.18, s.headD * 0.14]);
  return { name: 'Head', geometry: g.build(), material: colours.skin };
}

function eyes(s: Proportions, colours: Palette): Part {
  const g = new GeometryBuilder();
  for (const side of [-1, 1]) {
    box(
      g,
      [side * s.headW * 0.2, s.headH * 0.55, (s.headD / 2) * 0.89],
      [s.headW * 0.12, s.headH * 0.1, s.headD * 0.04],
    );
  }
  return { name: 'Eyes', geometry: g.build(), material: colours.eyes };
}

function torso(s: Proportions, colours: Palette, build: CharacterParams['build']): Part {
  const top = s.shoulderY - s.waistY;
  const belly = build === 'sturdy' ? 1.02 : 0.88;
  const g = loft(new GeometryBuilder(), [
    { y: 0, w: s.hipW * 1.06, d: s.torsoD * 0.9 },
    { y: top * 0.35, w: s.hipW, d: s.torsoD * belly },
    { y: top - 0.04 * s.height, w: s.shoulderW, d: s.torsoD },
    { y: top, w: s.shoulderW * 0.8, d: s.torsoD * 0.8 },
  ]);
  return { name: 'Torso', geometry: g.build(), material: colours.shirt };
}

function hips(s: Proportions, colours: Palette): Part {
  const g = box(
    new GeometryBuilder(),
    [0, (s.waistY - s.hipY + 0.07 * s.height) / 2 - 0.05 * s.height, 0],
    [s.hipW, s.waistY - s.hipY + 0.07 * s.height, s.torsoD * 0.88],
  );
  return { name: 'Hips', geometry: g.build(), material: colours.trousers };
}

function neck(s: Proportions, colours: Palette): Part {
  const g = cylinder(
    new GeometryBuilder(),
    [0, -0.02 * s.height, 0],
    s.headBottom - s.shoulderY + 0.02 * s.height + 0.3 * s.headH,
    s.neckR,
    s.neckR * 0.9,
    8,
  );
  return { name: 'Neck', geometry: g.build(), material: colours.skin };
}

/** Both arms share these parts: an arm is symmetric about its own axis. */
function armParts(s: Proportions, colours: Palette) {
  const sleeve = cylinder(
    new GeometryBuilder(),
    [0, -s.upperArm, 0],
    s.upperArm + s.armR * 1.1,
    s.armR * 0.9,
    s.armR,
    8,
  );
  const forearm = cylinder(
    new GeometryBuilder(),
    [0, -s.forearm, 0],
    s.forearm + 0.01 * s.height,
    s.armR * 0.62,
    s.armR * 0.78,
    8,
  );
  const hand = loft(new GeometryBuilder(), [
    { y: -s.hand, w: s.armR * 0.7, d: s.armR * 1.3 },
    { y: -s.hand * 0.35, w: s.armR * 0.95, d: s.armR * 1.7 },
    { y: 0.005 * s.height, w: s.armR * 0.95, d: s.armR * 1.5 },
  ]);
  return {
    upper: { name: 'UpperArm', geometry: sleeve.build(), material: colours.shirt },
    forearm: { name: 'Forearm', geometry: forearm.build(), material: colours.skin },
    hand: { name: 'Hand', geometry: hand.build(), material: colours.skin },
  } satisfies Record<string, Part>;
}

function legParts(s: Proportions, colours: Palette) {
  const ankle = s.footH * 0.8;
  const leg = cylinder(
    new GeometryBuilder(),
    [0, ankle - s.hipY, 0],
    s.hipY - ankle + 0.03 * s.height,
    s.legR * 0.6,
    s.legR,
    8,
  );
  const heel = -0.04 * s.height;
  const shoe = loft(new GeometryBuilder(), [
    { y: 0, w: s.footW, d: s.footL, z: heel + s.footL / 2 },
    { y: s.footH, w: s.footW * 0.9, d: s.footL * 0.85, z: heel + s.footL * 0.45 },
  ]);
  return {
    leg: { name: 'Leg', geometry: leg.build(), material: colours.trousers },
    shoe: { name: 'Shoe', geometry: shoe.build(), material: colours.shoes },
  } satisfies Record<string, Part>;
}

/** The whole character: a root node named `Character` over a hierarchy of named body parts. */
export function buildCharacter(params: CharacterParams): SceneNode {
  const s = proportions(params);
  const colours = palette(params);
  const arm = armParts(s, colours);
  const leg = legParts(s, colours);
  const headPivot: Vec3 = [0, s.headBottom, 0];
  const shoulderY = s.shoulderY - s.armR * 1.5;

  const headChildren: Draft[] = [{ name: 'Eyes', pivot: headPivot, part: eyes(s, colours) }];
  const hairPart = hair(params, s, colours);
  if (hairPart) headChildren.push({ name: 'Hair', pivot: headPivot, part: hairPart });
  if (params.glasses) headChildren.push({ name: 'Glasses', pivot: headPivot, part: glasses(s, colours) });
  if (params.hat) {
    const { crown, band } = hat(params, s, colours);
    headChildren.push({
      name: 'Hat',
      pivot: headPivot,
      part: crown,
      children: [{ name: 'HatBand', pivot: headPivot, part: band }],
    });
  }

  const armDraft = (side: 'Left' | 'Right', x: number): Draft => ({
    name: `${side}UpperArm`,
    pivot: [x, shoulderY, 0],
    part: arm.upper,
    children: [
      {
        name: `${side}Forearm`,
        pivot: [x, shoulderY - s.upperArm, 0],
        part: arm.forearm,
        children: [
          { name: `${side}Hand`, pivot: [x, shoulderY - s.upperArm - s.forearm, 0], part: arm.hand },
        ],
      },
    ],
  });
  // The character's left is +X: it faces +Z with +Y up.
  const legDraft = (side: 'Left' | 'Right', x: number): Draft => ({
    name: `${side}Leg`,
    pivot: [x, s.hipY, 0],
    part: leg.leg,
    children: [{ name: `${side}Shoe`, pivot: [x, 0, 0], part: leg.shoe }],
  });

  const torsoChildren: Draft[] = [
    {
      name: 'Neck',
      pivot: [0, s.shoulderY, 0],
      part: neck(s, colours),
      children: [{ name: 'Head', pivot: headPivot, part: head(s, colours), children: headChildren }],
    },
    armDraft('Left', s.shoulderX),
    armDraft('Right', -s.shoulderX),
  ];
  if (params.backpack)
    torsoChildren.push({ name: 'Backpack', pivot: [0, s.waistY, 0], part: backpack(s, colours) });

  return place({
    name: 'Character',
    pivot: [0, 0, 0],
    children: [
      {
        name: 'Hips',
        pivot: [0, s.hipY, 0],
        part: hips(s, colours),
        children: [
          legDraft('Left', s.legX),
          legDraft('Right', -s.legX),
          {
            name: 'Torso',
            pivot: [0, s.waistY, 0],
            part: torso(s, colours, params.build),
            children: torsoChildren,
          },
        ],
      },
    ],
  });
}
