/**
 * RFC 9457 problem details. `type` is a stable URI per kind of problem, which clients may switch on;
 * `title` is the same for every occurrence; `detail` explains this one.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const problemType = (code: string) => `/problems/${code}`;

export function problem(
  code: string,
  title: string,
  status: number,
  extra: Omit<Partial<Problem>, 'type'> = {},
): Response {
  const body: Problem = { type: problemType(code), title, status, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
