import { Jeton, JetonError, type User } from '@jeton/sdk';
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
} from 'react';

/**
 * The API, as the signed-in person: same origin, so the session cookie goes with every request and
 * no key ever lives in the page.
 */
export const api = new Jeton({ baseUrl: window.location.origin, maxRetries: 1 });

export type Me = User & { creator: { handle: string; displayName: string } | null };

interface Session {
  /** undefined while loading; null when signed out. */
  me: Me | null | undefined;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session>({
  me: undefined,
  refresh: async () => {},
  signOut: async () => {},
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setMe((await api.me()) as Me);
    } catch (error) {
      if (error instanceof JetonError && (error.status === 401 || error.status === 404)) setMe(null);
      else throw error;
    }
  }, []);
  const signOut = useCallback(async () => {
    await api.api.POST('/v1/auth/sign-out');
    setMe(null);
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return createElement(SessionContext.Provider, { value: { me, refresh, signOut } }, children);
}

export const useSession = () => useContext(SessionContext);

/** A problem from the API as one sentence, with the first issues' paths. */
export function describeError(error: unknown): string {
  if (error instanceof JetonError) {
    const issues = error.issues?.slice(0, 5).map((i) => `${i.path}: ${i.message}`) ?? [];
    return [error.detail ?? error.title, ...issues].filter(Boolean).join(' — ');
  }
  return error instanceof Error ? error.message : String(error);
}
