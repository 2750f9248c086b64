/** Thrown when something that must never happen did: a bug, not an expected outcome. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/** Asserts what must hold; a failure is a bug and stops the operation that found it. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
