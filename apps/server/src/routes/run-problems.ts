import type { AnswerError, RunAccessError, SubmitError } from '@jeton/core';
import { problem } from '../problem.ts';
import { catalogProblem } from './catalog-problems.ts';

/** Every refusal of the run engine as problem+json, with a stable `type` per kind. */
export function runProblem(e: SubmitError | AnswerError | RunAccessError): Response {
  switch (e.type) {
    case 'catalog':
      return catalogProblem(e.error);
    case 'input_invalid':
      return problem('input-invalid', 'The input does not match the agent’s input schema', 422, {
        detail: 'Nothing was charged. Each issue names the field by its JSON path.',
        issues: e.issues,
      });
    case 'answer_invalid':
      return problem('answer-invalid', 'The answer does not match the question’s schema', 422, {
        issues: e.issues,
      });
    case 'agent_unavailable':
      return problem('agent-unavailable', 'This agent cannot run on this platform now', 409, {
        detail: e.reason,
      });
    case 'quote_exceeds_cap':
      return problem('quote-exceeds-cap', 'The run may cost more than your cap', 422, {
        detail: `It may cost up to ${e.quote} credits; your cap is ${e.cap}. Nothing was charged.`,
        quote: e.quote,
        maxCredits: e.cap,
      });
    case 'insufficient_credits':
      return problem('insufficient-credits', 'Not enough credits', 402, {
        detail: `The run needs up to ${e.quote} credits held; ${e.available} are available.`,
        quote: e.quote,
        available: Number(e.available),
      });
    case 'wallet_not_found':
      return problem('wallet-not-found', 'No wallet', 402, { detail: 'This account has no wallet yet.' });
    case 'idempotency_conflict':
      return problem('idempotency-conflict', 'This Idempotency-Key was used for another request', 409, {
        detail: `The key already created ${e.runId} with a different body.`,
        runId: e.runId,
      });
    case 'run_not_found':
      return problem('run-not-found', 'No such run', 404, { detail: `No run "${e.runId}" of yours.` });
    case 'no_question':
      return problem('no-question', 'The run is not waiting for an answer', 409, {
        detail: `The run is ${e.status}.`,
      });
    case 'wrong_question':
      return problem('wrong-question', 'That is not the question the run waits on', 409, {
        questionId: e.questionId,
      });
  }
}
