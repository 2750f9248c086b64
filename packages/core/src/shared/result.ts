/**
 * Expected outcomes are values, not exceptions: a domain operation returns `ok(value)` or `err(error)`,
 * and the caller must look at `ok` before it can reach either. Exceptions are kept for bugs.
 *
 * @example
 * const r = divide(1n, 0n);
 * if (!r.ok) return problem(r.error);
 */
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E> = Ok<T> | Err<E>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E>(error: E): Err<E> => ({ ok: false, error });
