import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { ok } from '../studio-actions.tsx';
import type { Json } from './form-state.ts';

/** What the platform says is wrong with a manifest, and where (a JSON path such as `$.input`). */
export interface Issue {
  path: string;
  message: string;
}

export type Verdict =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'done'; ok: boolean; issues: Issue[] };

/** The issues at or under any of the given paths. */
export type IssuesAt = (...prefixes: string[]) => Issue[];

export function issuesAt(issues: Issue[]): IssuesAt {
  return (...prefixes) =>
    issues.filter((i) =>
      prefixes.some((p) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)),
    );
}

/** Asks the platform about `payload` once it has stopped changing for a moment. */
export function useLiveValidation(payload: { manifest: Json } | { text: string } | null): Verdict {
  const [verdict, setVerdict] = useState<Verdict>({ state: 'idle' });
  const key = payload === null ? null : JSON.stringify(payload);
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setVerdict({ state: 'checking' });
    const timer = setTimeout(async () => {
      try {
        const r = ok(
          await api.api.POST('/v1/agents/validate', {
            body: JSON.parse(key) as { manifest: Json } | { text: string },
            signal: controller.signal,
          }),
        );
        setVerdict({ state: 'done', ok: r.ok, issues: r.issues });
      } catch (error) {
        if (controller.signal.aborted) return;
        setVerdict({
          state: 'done',
          ok: false,
          issues: [{ path: '$', message: `could not be checked: ${(error as Error).message}` }],
        });
      }
    }, 350);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return verdict;
}
