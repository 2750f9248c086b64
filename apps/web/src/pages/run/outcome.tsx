import type { RunFailure, RunStatus } from '@jeton/sdk';
import { credits } from '../../ui/format.ts';

const FAULT_WORDS: Record<RunFailure['fault'], string> = {
  input: 'Your input was refused.',
  agent: 'The agent failed: not your fault.',
  platform: 'Our fault: something in Jeton failed, not you or the agent.',
  user_cancel: 'You cancelled this run.',
};

/** How a finished run ended: who was at fault, what was charged and what was refunded. */
export function Outcome({
  status,
  failure,
  charged,
  refunded,
  quote,
}: {
  status: RunStatus;
  failure: RunFailure | null;
  charged: number | null;
  refunded: number | null;
  quote: number;
}) {
  const ok = status === 'succeeded';
  return (
    <section
      className={`notice run-outcome ${ok ? 'notice-ok' : status === 'cancelled' ? '' : 'notice-error'}`}
      aria-labelledby="run-outcome-title"
    >
      <h2 id="run-outcome-title">
        {ok
          ? 'The run succeeded'
          : status === 'cancelled'
            ? 'The run was cancelled'
            : `The run ${status === 'timed_out' ? 'timed out' : 'failed'}`}
      </h2>
      {failure ? (
        <>
          <p className="run-fault">
            <strong>Who was at fault:</strong> {FAULT_WORDS[failure.fault]}
          </p>
          {failure.message ? (
            <p className="run-failure-message">
              {failure.message} <span className="muted">({failure.code})</span>
            </p>
          ) : null}
        </>
      ) : null}
      <p>{charged === null ? 'Settling…' : `Charged: ${credits(charged)} of the ${credits(quote)} held.`}</p>
      {refunded !== null && refunded > 0 ? (
        <p className="run-refund">
          <strong>
            {credits(refunded)} {refunded === 1 ? 'was' : 'were'} returned to your wallet.
          </strong>
        </p>
      ) : null}
    </section>
  );
}
