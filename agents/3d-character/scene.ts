import type { Rgb8 } from './colour.ts';
import type { Geometry, Vec3 } from './shapes.ts';

/** One colour of the character; becomes one glTF material. */
export interface Material {
  name: string;
  /** sRGB, as chosen; converted to linear when written. */
  colour: Rgb8;
  roughness: number;
}

/** A piece of geometry in one material. Left and right limbs share one object, so one glTF mesh. */
export interface Part {
  name: string;
  geometry: Geometry;
  material: Material;
}

/**
 * A named node: its origin is the joint it turns about (shoulder, elbow, hip, neck), so a rigid
 * character can still be posed by rotating nodes. `translation` is relative to the parent.
 */
export interface SceneNode {
  name: string;
  translation: Vec3;
  part?: Part;
  children: SceneNode[];
}

/** Calls `visit` with every node and its position in the scene (only translations are used). */
export function walk(
  root: SceneNode,
  visit: (node: SceneNode, origin: Vec3) => void,
  parent: Vec3 = [0, 0, 0],
) {
  const origin: Vec3 = [
    parent[0] + root.translation[0],
    parent[1] + root.translation[1],
    parent[2] + root.translation[2],
  ];
  visit(root, origin);
  for (const child of root.children) walk(child, visit, origin);
}
