import type { Ledger, Logger } from '@jeton/core';
import type { User, Users } from '@jeton/db';

/**
 * A new user's wallet: their accounts opened and the welcome credits granted, once. The grant's
 * command id is the user's, so doing it again (a crash between the grant and `markWelcomed`, caught up
 * at the next sign-in) changes nothing.
 */
export async function welcome(
  user: User,
  deps: { users: Users; ledger: Ledger; credits: number; logger?: Logger },
): Promise<void> {
  if (user.welcomedAt) return;
  await deps.ledger.openAccounts(user.id);
  if (deps.credits > 0) {
    const r = await deps.ledger.grantPromo({
      id: `welcome:${user.id}`,
      userId: user.id,
      amount: BigInt(deps.credits),
      reference: 'welcome credits',
    });
    if (!r.ok) {
      // Not the user's doing, and not worth refusing their sign-up over: logged, retried at sign-in.
      deps.logger?.error({ userId: user.id, error: r.error }, 'welcome credits not granted');
      return;
    }
  }
  await deps.users.markWelcomed(user.id, new Date());
}
