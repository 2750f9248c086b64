import type { AgentCtx } from '@jeton/runtime/sdk';
import type { Finding } from './findings.ts';
import type { Advice } from './report.ts';
import { stopIfAborted } from './stop.ts';

/** Findings given to the model: the most urgent first; more would cost tokens without changing the advice. */
const MAX_FINDINGS_IN_PROMPT = 60;
const MAX_SUGGESTIONS = 8;

const SYSTEM = [
  'You are a senior application-security and code-quality reviewer writing for the owner of a repository.',
  'You get the findings of an automated audit (secrets, dependency risks, TypeScript diagnostics, complexity).',
  'Write a plain-language summary (at most 150 words): what matters most, in what order to fix it.',
  'Then give concrete fix suggestions, each about a group of related findings, naming files.',
  'Secret values are redacted; never guess, complete or repeat them. Do not invent findings.',
].join(' ');

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'suggestions'],
  properties: {
    summary: { type: 'string', maxLength: 3000 },
    suggestions: {
      type: 'array',
      maxItems: MAX_SUGGESTIONS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'fix'],
        properties: { title: { type: 'string', maxLength: 200 }, fix: { type: 'string', maxLength: 1500 } },
      },
    },
  },
};

export function advicePrompt(findings: readonly Finding[], totals: string): string {
  const lines = findings
    .slice(0, MAX_FINDINGS_IN_PROMPT)
    .map((f) => `- [${f.level}] ${f.ruleId} ${f.file}:${f.line} — ${f.message}`);
  const more =
    findings.length > MAX_FINDINGS_IN_PROMPT
      ? `\n(${findings.length - MAX_FINDINGS_IN_PROMPT} more not listed)`
      : '';
  return `Audit totals: ${totals}\n\nFindings, most urgent first:\n${lines.join('\n')}${more}`;
}

function clip(value: unknown, max: number): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/**
 * Asks the platform's model for a summary and fix suggestions. The offline findings never depend on
 * it: any failure is logged as a warning and the report is written without this part.
 */
export async function adviseWithModel(
  ctx: Pick<AgentCtx, 'model' | 'log' | 'signal'>,
  findings: readonly Finding[],
  totals: string,
): Promise<Advice | null> {
  try {
    const answer = await ctx.model({
      system: SYSTEM,
      prompt: advicePrompt(findings, totals),
      schema: SCHEMA,
      maxOutputTokens: 1500,
      temperature: 0.2,
    });
    const object = (answer.object ?? {}) as { summary?: unknown; suggestions?: unknown };
    const summary = clip(object.summary, 3000) || clip(answer.text, 3000);
    if (!summary) {
      ctx.log('The model gave an empty answer; the report has no model-written part.', 'warn');
      return null;
    }
    const suggestions = (Array.isArray(object.suggestions) ? object.suggestions : [])
      .slice(0, MAX_SUGGESTIONS)
      .map((s: { title?: unknown; fix?: unknown }) => ({
        title: clip(s?.title, 200),
        fix: clip(s?.fix, 1500),
      }))
      .filter((s) => s.title && s.fix);
    return { summary, suggestions, model: answer.model };
  } catch (error) {
    // A call cut short by cancellation is the run stopping, not the model failing.
    stopIfAborted(ctx.signal);
    const why = error instanceof Error ? error.message : String(error);
    ctx.log(
      `The model could not write the summary (${why}); the report has the offline findings only.`,
      'warn',
    );
    return null;
  }
}
