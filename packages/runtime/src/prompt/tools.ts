import { jsonSchema, type ToolSet, tool } from 'ai';
import { validateJson } from '../models/json-schema.ts';

/**
 * The platform tools a prompt agent may list in its manifest (`runtime.tools`). Each is offline and
 * free of side effects: it computes from its input (and the clock) and touches nothing, so any agent
 * may use it and a run can be repeated safely.
 */

export interface ToolEnv {
  /** The clock (`current_time`); tests fix it. */
  now(): Date;
}

export interface PlatformTool {
  readonly description: string;
  /** JSON Schema of the tool's input (validated before `execute`). */
  readonly inputSchema: Record<string, unknown>;
  execute(input: Record<string, unknown>, env: ToolEnv): unknown;
}

// --- calculator: a recursive-descent parser over numbers, operators and a few functions; no eval ---

const MAX_EXPRESSION = 1000;
const MAX_DEPTH = 100;

const FUNCTIONS: Record<string, { min: number; max: number; fn: (...a: number[]) => number }> = {
  sqrt: { min: 1, max: 1, fn: Math.sqrt },
  cbrt: { min: 1, max: 1, fn: Math.cbrt },
  abs: { min: 1, max: 1, fn: Math.abs },
  floor: { min: 1, max: 1, fn: Math.floor },
  ceil: { min: 1, max: 1, fn: Math.ceil },
  round: {
    min: 1,
    max: 2,
    fn: (x, digits = 0) => {
      if (!Number.isInteger(digits) || digits < 0 || digits > 15)
        throw new Error('round() takes 0 to 15 digits');
      const scale = 10 ** digits;
      return Math.round(x * scale) / scale;
    },
  },
  trunc: { min: 1, max: 1, fn: Math.trunc },
  min: { min: 1, max: 100, fn: Math.min },
  max: { min: 1, max: 100, fn: Math.max },
  pow: { min: 2, max: 2, fn: Math.pow },
  exp: { min: 1, max: 1, fn: Math.exp },
  ln: { min: 1, max: 1, fn: Math.log },
  log: {
    min: 1,
    max: 2,
    fn: (x, base) => (base === undefined ? Math.log10(x) : Math.log(x) / Math.log(base)),
  },
  log10: { min: 1, max: 1, fn: Math.log10 },
  log2: { min: 1, max: 1, fn: Math.log2 },
  sin: { min: 1, max: 1, fn: Math.sin },
  cos: { min: 1, max: 1, fn: Math.cos },
  tan: { min: 1, max: 1, fn: Math.tan },
  asin: { min: 1, max: 1, fn: Math.asin },
  acos: { min: 1, max: 1, fn: Math.acos },
  atan: { min: 1, max: 1, fn: Math.atan },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

type Token = { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/%^(),]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`unexpected "${text.slice(at).trim()[0]}" at position ${at + 1}`);
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'id', value: m[2].toLowerCase() });
    else tokens.push({ kind: 'op', value: m[3] === '**' ? '^' : m[3]! });
    at = re.lastIndex;
  }
  return tokens;
}

/**
 * Evaluates an arithmetic expression: numbers (`1.5`, `2e3`), `+ - * / % ^` (or `**`, right
 * associative, binding tighter than a leading minus: `-2^2` is -4), parentheses, the constants `pi`,
 * `e`, `tau` and the functions of `FUNCTIONS`. Throws an `Error` with a short reason on anything else,
 * on division by zero and on a result that is not a finite number.
 */
export function evaluateArithmetic(expression: string): number {
  if (expression.length > MAX_EXPRESSION)
    throw new Error(`the expression is longer than ${MAX_EXPRESSION} characters`);
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new Error('the expression is empty');
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v: string) => peek()?.kind === 'op' && peek()!.value === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected "${v}"`);
    i++;
  };

  const expr = (depth: number): number => {
    if (depth > MAX_DEPTH) throw new Error('the expression is nested too deeply');
    let v = term(depth);
    while (isOp('+') || isOp('-')) {
      const op = tokens[i++]!.value;
      const r = term(depth);
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const term = (depth: number): number => {
    let v = unary(depth);
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = tokens[i++]!.value;
      const r = unary(depth);
      if ((op === '/' || op === '%') && r === 0) throw new Error('division by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const unary = (depth: number): number => {
    if (depth > MAX_DEPTH) throw new Error('the expression is nested too deeply');
    if (isOp('-')) {
      i++;
      return -unary(depth + 1);
    }
    if (isOp('+')) {
      i++;
      return unary(depth + 1);
    }
    return power(depth);
  };
  const power = (depth: number): number => {
    const base = primary(depth);
    if (isOp('^')) {
      i++;
      return base ** unary(depth + 1);
    }
    return base;
  };
  const primary = (depth: number): number => {
    const t = tokens[i++];
    if (!t) throw new Error('the expression ends too early');
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op') {
      if (t.value !== '(') throw new Error(`unexpected "${t.value}"`);
      const v = expr(depth + 1);
      expect(')');
      return v;
    }
    const fn = FUNCTIONS[t.value];
    if (fn && isOp('(')) {
      i++;
      const args: number[] = [];
      if (!isOp(')')) {
        args.push(expr(depth + 1));
        while (isOp(',')) {
          i++;
          args.push(expr(depth + 1));
        }
      }
      expect(')');
      if (args.length < fn.min || args.length > fn.max) {
        throw new Error(
          `${t.value}() takes ${fn.min === fn.max ? fn.min : `${fn.min} to ${fn.max}`} argument(s)`,
        );
      }
      return fn.fn(...args);
    }
    if (Object.hasOwn(CONSTANTS, t.value)) return CONSTANTS[t.value]!;
    throw new Error(`unknown name "${t.value}"`);
  };

  const value = expr(0);
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]!.value}"`);
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number');
  // 15 significant digits: 0.1 + 0.2 is 0.3, as a person expects.
  return Number(value.toPrecision(15));
}

const calculator: PlatformTool = {
  description:
    'Evaluates an arithmetic expression exactly as written and returns the number. Supports + - * / % ^, ' +
    'parentheses, pi, e, and sqrt, abs, round(x, digits), floor, ceil, min, max, pow, exp, ln, log (base 10), ' +
    'log2, sin, cos, tan. Use it for any calculation rather than computing in your head.',
  inputSchema: {
    type: 'object',
    properties: {
      expression: { type: 'string', description: 'e.g. "(12.5 * 4) / 3"', maxLength: MAX_EXPRESSION },
    },
    required: ['expression'],
    additionalProperties: false,
  },
  execute: (input) => {
    const expression = String(input.expression);
    return { expression, result: evaluateArithmetic(expression) };
  },
};

const currentTime: PlatformTool = {
  description:
    'Returns the current date and time: ISO 8601 in UTC, and the local date, time and weekday in a time zone ' +
    '(an IANA name such as "Europe/Paris"; default UTC).',
  inputSchema: {
    type: 'object',
    properties: { timeZone: { type: 'string', description: 'IANA time zone, e.g. "America/New_York"' } },
    additionalProperties: false,
  },
  execute: (input, env) => {
    const timeZone = typeof input.timeZone === 'string' && input.timeZone ? input.timeZone : 'UTC';
    const now = env.now();
    let parts: Intl.DateTimeFormatPart[];
    try {
      parts = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        weekday: 'long',
        hourCycle: 'h23',
      }).formatToParts(now);
    } catch {
      throw new Error(`unknown time zone "${timeZone}"`);
    }
    const p = (type: string) => parts.find((x) => x.type === type)?.value ?? '';
    return {
      utc: now.toISOString(),
      timeZone,
      date: `${p('year')}-${p('month')}-${p('day')}`,
      time: `${p('hour')}:${p('minute')}:${p('second')}`,
      weekday: p('weekday'),
    };
  },
};

/** The platform's tools, by the name a manifest uses. */
export const PLATFORM_TOOLS: Readonly<Record<string, PlatformTool>> = Object.freeze({
  calculator,
  current_time: currentTime,
});

/** The names in `names` that are not platform tools. */
export function unknownTools(names: readonly string[]): string[] {
  return names.filter((n) => !Object.hasOwn(PLATFORM_TOOLS, n));
}

/** The named platform tools as AI SDK tools (inputs validated against each tool's schema). */
export function platformToolSet(names: readonly string[], env: ToolEnv = { now: () => new Date() }): ToolSet {
  const set: ToolSet = {};
  for (const name of names) {
    const t = PLATFORM_TOOLS[name];
    if (!t) throw new Error(`"${name}" is not a platform tool`);
    set[name] = tool({
      description: t.description,
      inputSchema: jsonSchema<Record<string, unknown>>(t.inputSchema as Parameters<typeof jsonSchema>[0], {
        validate: (value) => {
          const issues = validateJson(t.inputSchema, value);
          return issues.length === 0
            ? { success: true, value: value as Record<string, unknown> }
            : { success: false, error: new Error(issues.map((i) => `${i.path} ${i.message}`).join('; ')) };
        },
      }),
      execute: async (input) => t.execute(input, env),
    });
  }
  return set;
}
