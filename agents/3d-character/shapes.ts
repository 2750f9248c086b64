export type Vec3 = readonly [number, number, number];

/** Anything faces can be added to: a builder, or a builder seen through a transform (`mapped`). */
export interface FaceSink {
  face(corners: readonly Vec3[]): unknown;
}

/** Triangles with one normal per face: every face owns its vertices, so shading stays flat. */
export interface Geometry {
  positions: Float32Array;
  normals: Float32Array;
  indices: Uint16Array;
}

/** Indices are 16-bit (smaller files, read everywhere); no part of a character comes near this. */
const MAX_VERTICES = 65_535;

/**
 * Collects faces, wound counter-clockwise seen from outside (glTF's front face), and derives each
 * face's normal from its winding, so a normal can never disagree with the side a renderer culls.
 */
export class GeometryBuilder implements FaceSink {
  readonly #positions: number[] = [];
  readonly #normals: number[] = [];
  readonly #indices: number[] = [];

  /** A planar convex polygon (3 or more corners), counter-clockwise from outside. */
  face(corners: readonly Vec3[]): this {
    // Newell's normal: exact for planar polygons and immune to one short edge.
    let nx = 0;
    let ny = 0;
    let nz = 0;
    for (let i = 0; i < corners.length; i++) {
      const a = corners[i]!;
      const b = corners[(i + 1) % corners.length]!;
      nx += (a[1] - b[1]) * (a[2] + b[2]);
      ny += (a[2] - b[2]) * (a[0] + b[0]);
      nz += (a[0] - b[0]) * (a[1] + b[1]);
    }
    const length = Math.hypot(nx, ny, nz);
    if (length < 1e-12) throw new Error('A face with no area was built.');
    const base = this.#positions.length / 3;
    if (base + corners.length > MAX_VERTICES)
      throw new Error('A part has too many vertices for 16-bit indices.');
    for (const c of corners) {
      this.#positions.push(c[0], c[1], c[2]);
      this.#normals.push(nx / length, ny / length, nz / length);
    }
    for (let i = 1; i + 1 < corners.length; i++) this.#indices.push(base, base + i, base + i + 1);
    return this;
  }

  get vertexCount(): number {
    return this.#positions.length / 3;
  }

  build(): Geometry {
    if (this.#indices.length === 0) throw new Error('An empty part was built.');
    return {
      positions: new Float32Array(this.#positions),
      normals: new Float32Array(this.#normals),
      indices: new Uint16Array(this.#indices),
    };
  }
}

/** One horizontal rectangle of a loft: centred at (x, y, z), `w` wide along X, `d` deep along Z. */
export interface Section {
  y: number;
  w: number;
  d: number;
  x?: number;
  z?: number;
}

/**
 * A closed solid through rectangles stacked bottom to top: a box, a tapered torso, a shoe. Sections
 * must rise strictly in y.
 */
export function loft<G extends FaceSink>(g: G, sections: readonly Section[]): G {
  const rings = sections.map((s) => {
    const x = s.x ?? 0;
    const z = s.z ?? 0;
    const hw = s.w / 2;
    const hd = s.d / 2;
    // Counter-clockwise seen from above (+Y): front-left, front-right, back-right, back-left.
    return [
      [x - hw, s.y, z + hd],
      [x + hw, s.y, z + hd],
      [x + hw, s.y, z - hd],
      [x - hw, s.y, z - hd],
    ] as Vec3[];
  });
  for (let r = 0; r + 1 < rings.length; r++) {
    const lo = rings[r]!;
    const hi = rings[r + 1]!;
    for (let i = 0; i < 4; i++) {
      const j = (i + 1) % 4;
      g.face([lo[i]!, lo[j]!, hi[j]!, hi[i]!]);
    }
  }
  g.face([...rings[0]!].reverse());
  g.face(rings.at(-1)!);
  return g;
}

export function box<G extends FaceSink>(g: G, centre: Vec3, size: Vec3): G {
  const [x, y, z] = centre;
  return loft(g, [
    { x, z, y: y - size[1] / 2, w: size[0], d: size[2] },
    { x, z, y: y + size[1] / 2, w: size[0], d: size[2] },
  ]);
}

/**
 * An upright prism or frustum (a limb, a neck, a hat's crown): `segments` sides from `bottom` up to
 * `top`, radii along X (and along Z scaled by `depthScale`).
 */
export function cylinder<G extends FaceSink>(
  g: G,
  base: Vec3,
  height: number,
  radiusBottom: number,
  radiusTop: number,
  segments: number,
  depthScale = 1,
): G {
  const ring = (y: number, r: number): Vec3[] =>
    Array.from({ length: segments }, (_, i) => {
      // Counter-clockwise seen from above: angle runs from +X towards -Z.
      const a = (i / segments) * 2 * Math.PI;
      return [base[0] + r * Math.cos(a), base[1] + y, base[2] - r * depthScale * Math.sin(a)] as Vec3;
    });
  const lo = ring(0, radiusBottom);
  const hi = ring(height, radiusTop);
  for (let i = 0; i < segments; i++) {
    const j = (i + 1) % segments;
    g.face([lo[i]!, lo[j]!, hi[j]!, hi[i]!]);
  }
  g.face([...lo].reverse());
  g.face(hi);
  return g;
}

/**
 * A low-poly ellipsoid, or the part of it above `lowestLatitude` (radians, -π/2 is the whole
 * thing): a hair cap is the top of a slightly larger head. A partial one is open at the bottom.
 */
export function ellipsoid<G extends FaceSink>(
  g: G,
  centre: Vec3,
  radii: Vec3,
  segments: number,
  rings: number,
  lowestLatitude = -Math.PI / 2,
): G {
  const point = (lat: number, i: number): Vec3 => {
    const lon = (i / segments) * 2 * Math.PI;
    const c = Math.cos(lat);
    return [
      centre[0] + radii[0] * c * Math.sin(lon),
      centre[1] + radii[1] * Math.sin(lat),
      centre[2] + radii[2] * c * Math.cos(lon),
    ];
  };
  const whole = lowestLatitude <= -Math.PI / 2 + 1e-9;
  const latitude = (r: number) => Math.PI / 2 - (r / rings) * (Math.PI / 2 - lowestLatitude);
  const top: Vec3 = [centre[0], centre[1] + radii[1], centre[2]];
  const bottom: Vec3 = [centre[0], centre[1] - radii[1], centre[2]];
  for (let r = 0; r < rings; r++) {
    const upper = latitude(r);
    const lower = latitude(r + 1);
    for (let i = 0; i < segments; i++) {
      // Longitude grows from +Z towards +X, so a face's corners run counter-clockwise from outside.
      if (r === 0) g.face([top, point(lower, i), point(lower, i + 1)]);
      else if (r === rings - 1 && whole) g.face([point(upper, i), bottom, point(upper, i + 1)]);
      else g.face([point(upper, i), point(lower, i), point(lower, i + 1), point(upper, i + 1)]);
    }
  }
  return g;
}

/**
 * `g` seen through a rigid transform (rotations and translations keep faces planar and their
 * winding outward): shapes are built upright at the origin, then placed.
 */
export function mapped(g: FaceSink, transform: (p: Vec3) => Vec3): FaceSink {
  return { face: (corners) => g.face(corners.map(transform)) };
}

/** Rotation about the X axis by `angle` radians (right-handed: +Y turns towards +Z). */
export function rotateX(angle: number, then: Vec3 = [0, 0, 0]): (p: Vec3) => Vec3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return (p) => [p[0] + then[0], p[1] * c - p[2] * s + then[1], p[1] * s + p[2] * c + then[2]];
}
