import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentFailure, type ModelAccess, type ModelRequest, testAgent } from '@jeton/runtime/sdk';
import { describe, expect, it } from 'vitest';
import { readEvalCases, runEvalCase } from '../evals.ts';
import agent from './agent.ts';
import { benchCase } from './bench-case.ts';
import { readInput } from './input.ts';
import { allElements, parseXml, textOf } from './well-formed-xml.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** WCAG 2.x written again here, independently of wcag.ts, so the test checks the agent's numbers. */
function wcagRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

interface PairJson {
  foregroundHex: string;
  backgroundHex: string;
  ratio: number;
  ratioExact: number;
  aaNormal: boolean;
  aaLarge: boolean;
  aaaNormal: boolean;
  aaaLarge: boolean;
}

interface PaletteJson {
  mood: string;
  colours: { name: string; role: string; hex: string; rgb: { r: number; g: number; b: number } }[];
  pairs: (PairJson & { foreground: string; background: string })[];
  logo: {
    initials: string;
    colours: Record<string, string | null>;
    pairs: (PairJson & { element: string })[];
    adjustments: { element: string; intendedHex: string; usedHex: string }[];
  };
}

function expectPairRecomputed(p: PairJson) {
  const exact = wcagRatio(p.foregroundHex, p.backgroundHex);
  expect(p.ratioExact).toBeCloseTo(exact, 10);
  expect(p.ratio).toBe(Math.round(exact * 100) / 100);
  expect(p.aaNormal).toBe(exact >= 4.5);
  expect(p.aaLarge).toBe(exact >= 3);
  expect(p.aaaNormal).toBe(exact >= 7);
  expect(p.aaaLarge).toBe(exact >= 4.5);
}

async function run(input: Record<string, unknown>, models?: ModelAccess, signal?: AbortSignal) {
  const result = await testAgent(agent, {
    input,
    ...(models ? { models } : {}),
    ...(signal ? { signal } : {}),
  });
  const text = (name: string) => result.artifacts.get(name)?.text();
  return { result, svg: text('logo.svg'), md: text('palette.md'), json: text('palette.json') };
}

function fakeModel(
  answer: { text?: string; object?: unknown } | Error,
  seen: ModelRequest[] = [],
): ModelAccess {
  return {
    unavailable: null,
    generate: async (request) => {
      seen.push(request);
      if (answer instanceof Error) throw answer;
      return {
        text: answer.text ?? JSON.stringify(answer.object),
        object: answer.object,
        model: 'test/fake',
        usage: { inputTokens: 1, outputTokens: 1 },
        costMicroCredits: 0n,
      };
    },
  };
}

describe('brand-kit', () => {
  it('makes a logo, palette.json and palette.md from the defaults', async () => {
    const { result, svg, md, json } = await run({ company: 'Acme' });
    expect(result.status).toBe('succeeded');
    expect(result.artifacts.get('logo.svg')?.mediaType).toBe('image/svg+xml');
    expect(result.artifacts.get('palette.json')?.mediaType).toBe('application/json');
    expect(result.artifacts.get('palette.md')?.mediaType).toBe('text/markdown');
    expect(result.progress.at(-1)).toEqual({ percent: 100, message: 'Done' });
    expect(result.credits).toBe(20);

    const root = parseXml(svg!);
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attributes.viewBox).toMatch(/^0 0 \d+ \d+$/);
    expect(Number(root.attributes.width)).toBeGreaterThan(0);
    expect(textOf(allElements(root).find((e) => e.name === 'title')!)).toBe('Acme logo');

    const palette = JSON.parse(json!) as PaletteJson;
    expect(palette.mood).toBe('calm');
    expect(palette.colours.find((c) => c.role === 'primary')!.hex).toBe('#1f6feb');
    expect(md).toContain('| primary | primary | `#1f6feb` | 31, 111, 235 |');
    expect(md).toContain('contrast');
  });

  it('writes an SVG with nothing external and nothing executable', async () => {
    const { svg } = await run({ company: 'Acme', tagline: 'Everything, delivered', mood: 'playful' });
    const elements = allElements(parseXml(svg!));
    const allowed = new Set(['svg', 'title', 'desc', 'g', 'rect', 'circle', 'polygon', 'text']);
    for (const el of elements) {
      expect(allowed.has(el.name), el.name).toBe(true);
      for (const [name, value] of Object.entries(el.attributes)) {
        expect(name).not.toMatch(/^on|href$/i);
        expect(value).not.toMatch(/url\(|javascript:|@import/i);
        if (name !== 'xmlns') expect(value).not.toMatch(/https?:|data:/i);
      }
    }
    expect(svg).not.toMatch(/<(script|style|image|use|foreignObject|a)\b/i);
  });

  it('recomputes every pair of palette.json from its hex values and agrees', async () => {
    for (const mood of ['calm', 'bold', 'playful', 'serious', 'elegant']) {
      const { json } = await run({ company: 'Northwind', tagline: 'Fresh', mood, primaryColour: '#ffcc00' });
      const palette = JSON.parse(json!) as PaletteJson;
      const hexOf = new Map(palette.colours.map((c) => [c.name, c.hex]));
      expect(palette.pairs.length).toBeGreaterThanOrEqual(15);
      for (const p of palette.pairs) {
        expect(p.foregroundHex).toBe(hexOf.get(p.foreground));
        expect(p.backgroundHex).toBe(hexOf.get(p.background));
        expectPairRecomputed(p);
      }
      for (const p of palette.logo.pairs) {
        expectPairRecomputed(p);
        expect(p.aaNormal, `${mood} ${p.element}`).toBe(true);
      }
      for (const c of palette.colours) {
        expect(c.hex).toMatch(/^#[0-9a-f]{6}$/);
        expect(`#${[c.rgb.r, c.rgb.g, c.rgb.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`).toBe(
          c.hex,
        );
      }
    }
  });

  it('paints the SVG with the colours palette.json reports for the logo', async () => {
    const { svg, json } = await run({
      company: 'Sunny Side',
      tagline: 'Good mornings',
      primaryColour: '#ffcc00',
    });
    const logo = (JSON.parse(json!) as PaletteJson).logo;
    const texts = allElements(parseXml(svg!)).filter((e) => e.name === 'text');
    const fill = (content: string) => texts.find((t) => textOf(t) === content)!.attributes.fill;
    const pair = (element: string) => logo.pairs.find((p) => p.element === element)!;
    expect(fill('Sunny Side')).toBe(pair('wordmark').foregroundHex);
    expect(fill('SS')).toBe(pair('initials').foregroundHex);
    expect(fill('Good mornings')).toBe(pair('tagline').foregroundHex);
    expect(fill('Sunny Side')).not.toBe('#ffcc00');
  });

  it('adjusts a logo colour below AA and says so in palette.md and the log', async () => {
    const { result, md, json } = await run({ company: 'Sunny Side', primaryColour: '#ffcc00' });
    const adjustment = (JSON.parse(json!) as PaletteJson).logo.adjustments.find(
      (a) => a.element === 'wordmark',
    )!;
    expect(adjustment.intendedHex).toBe('#ffcc00');
    expect(wcagRatio(adjustment.usedHex, '#ffffff')).toBeGreaterThan(4);
    expect(md).toContain(`The wordmark would use primary \`#ffcc00\``);
    expect(md).toContain(`adjusted to \`${adjustment.usedHex}\``);
    expect(
      result.logs.some((l) => l.message.includes('Logo wordmark') && l.message.includes(adjustment.usedHex)),
    ).toBe(true);
  });

  it('keeps a name with &, <, > and quotes intact through escaping', async () => {
    const company = `A&B <Tools> "x"`;
    const { result, svg, md, json } = await run({ company, tagline: `Fast & 'safe' <b>`, mood: 'bold' });
    expect(result.status).toBe('succeeded');
    const root = parseXml(svg!);
    const texts = allElements(root)
      .filter((e) => e.name === 'text')
      .map(textOf);
    expect(texts).toEqual(['AB', company, `Fast & 'safe' <b>`]);
    expect(svg).not.toContain('<Tools>');
    expect(md).toContain('# A&amp;B &lt;Tools&gt; "x": brand palette');
    expect(md).not.toContain('<b>');
    expect((JSON.parse(json!) as { company: string }).company).toBe(company);
  });

  it('normalises #rgb colours and uses a given second colour', async () => {
    const { json, md } = await run({ company: 'Verde', primaryColour: '#0A4', secondaryColour: ' #FC0 ' });
    const colours = (JSON.parse(json!) as PaletteJson).colours;
    expect(colours.find((c) => c.name === 'primary')!.hex).toBe('#00aa44');
    expect(colours.find((c) => c.name === 'secondary')!.hex).toBe('#ffcc00');
    expect(md).toContain('The second colour, as given.');
  });

  it('derives the second colour when the field is left empty', async () => {
    const { result, json } = await run({ company: 'Verde', primaryColour: '#00aa44', secondaryColour: '' });
    expect(result.status).toBe('succeeded');
    const secondary = (JSON.parse(json!) as PaletteJson).colours.find((c) => c.name === 'secondary')!;
    expect(secondary.hex).not.toBe('#00aa44');
  });

  describe('refuses bad input', () => {
    it.each([
      ['a colour name', { company: 'Acme', primaryColour: 'blue' }, /primaryColour/],
      ['five hex digits', { company: 'Acme', primaryColour: '#12345' }, /primaryColour/],
      ['a bad second colour', { company: 'Acme', secondaryColour: 'rgb(1, 2, 3)' }, /secondaryColour/],
      ['an unknown mood', { company: 'Acme', mood: 'angry' }, /mood/],
      ['no company', {}, /company/],
      ['a name of spaces', { company: '   ' }, /company name has no visible character/],
      [
        'a name of control characters',
        { company: '\u0000\u0007\u202e' },
        /company name has no visible character/,
      ],
    ])('%s', async (_, input, message) => {
      const { result } = await run(input);
      expect(result.status).toBe('failed');
      expect(result.failure?.code).toBe('input_invalid');
      expect(result.failure?.message).toMatch(message);
      expect(result.artifacts.size).toBe(0);
      expect(result.credits).toBe(0);
    });

    it('tells the buyer how to write a colour, wherever the input comes from', () => {
      const read = (primaryColour: string) => () =>
        readInput({ company: 'Acme', mood: 'calm', primaryColour });
      expect(read('blue')).toThrow(AgentFailure);
      expect(read('blue')).toThrow('The main colour "blue" is not a hex colour: write it as #rrggbb');
      expect(read('#1f6feb')).not.toThrow();
      try {
        read('#ggg')();
      } catch (error) {
        expect((error as AgentFailure).code).toBe('input_invalid');
      }
    });
  });

  describe('with a model', () => {
    it('adds the rationale and tagline ideas to palette.md', async () => {
      const seen: ModelRequest[] = [];
      const models = fakeModel(
        {
          object: {
            rationale: 'Blue reads as calm and dependable; the *soft* teal keeps it friendly.',
            taglines: ['Quietly reliable', 'Logistics, <b>calmly</b>', ''],
          },
        },
        seen,
      );
      const { result, md } = await run({ company: 'Northwind "North"', tagline: 'On time' }, models);
      expect(result.status).toBe('succeeded');
      expect(result.modelCalls).toHaveLength(1);
      expect(md).toContain('## Brand rationale');
      expect(md).toContain('Written by a model (test/fake)');
      expect(md).toContain('Blue reads as calm and dependable; the \\*soft\\* teal keeps it friendly.');
      expect(md).toContain('- Quietly reliable');
      expect(md).toContain('- Logistics, &lt;b&gt;calmly&lt;/b&gt;');
      expect(md).not.toMatch(/^- $/m);
      expect(seen[0]!.prompt).toContain('Company name: "Northwind \\"North\\""');
      expect(seen[0]!.schema).toMatchObject({ required: ['rationale', 'taglines'] });
      expect(seen[0]!.maxOutputTokens).toBeLessThanOrEqual(500);
    });

    it('bounds what the model writes', async () => {
      const models = fakeModel({
        object: { rationale: 'x'.repeat(5000), taglines: Array(20).fill('y'.repeat(500)) },
      });
      const { md } = await run({ company: 'Acme' }, models);
      const lines = md!.split('\n');
      expect(lines.find((l) => l.startsWith('xxx'))!.length).toBeLessThanOrEqual(900);
      const taglines = lines.filter((l) => l.startsWith('- yyy'));
      expect(taglines).toHaveLength(5);
      expect(taglines.every((l) => l.length <= 2 + 120)).toBe(true);
    });

    it('keeps the offline result when the model fails, with a warning', async () => {
      const { result, md, svg } = await run({ company: 'Acme' }, fakeModel(new Error('provider down')));
      expect(result.status).toBe('succeeded');
      expect(svg).toContain('<svg');
      expect(md).toContain('## WCAG contrast');
      expect(md).not.toContain('Brand rationale');
      expect(result.logs).toContainEqual({
        level: 'warn',
        message: expect.stringContaining('provider down'),
      });
    });

    it('carries on when the model answers nothing usable', async () => {
      const { result, md } = await run(
        { company: 'Acme' },
        fakeModel({ object: { rationale: 3, taglines: 'no' } }),
      );
      expect(result.status).toBe('succeeded');
      expect(md).not.toContain('Brand rationale');
      expect(result.logs.some((l) => l.level === 'warn')).toBe(true);
    });

    it('writes no rationale and calls no model when none is configured', async () => {
      const { result, md } = await run({ company: 'Acme' });
      expect(result.modelCalls).toHaveLength(0);
      expect(md).not.toContain('Brand rationale');
    });
  });

  it('stops when the buyer cancels during the model call', async () => {
    const controller = new AbortController();
    const models: ModelAccess = {
      unavailable: null,
      generate: async () => {
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          text: '{}',
          object: { rationale: 'late', taglines: [] },
          model: 'test/fake',
          usage: { inputTokens: 1, outputTokens: 1 },
          costMicroCredits: 0n,
        };
      },
    };
    const { result } = await run({ company: 'Acme' }, models, controller.signal);
    expect(result.status).toBe('cancelled');
    expect(result.failure?.code).toBe('cancelled_by_buyer');
    expect(result.artifacts.has('palette.md')).toBe(false);
    expect(result.credits).toBe(0);
  });

  it('handles the benchmark input, the longest the manifest allows', async () => {
    const { input } = await benchCase();
    const { result, svg } = await run(input);
    expect(result.status).toBe('succeeded');
    const root = parseXml(svg!);
    expect(
      allElements(root)
        .filter((e) => e.name === 'text')
        .map(textOf)[1],
    ).toBe(input.company);
    expect(Number(root.attributes.width)).toBeGreaterThan(1000);
  });

  it("passes every eval case and the manifest's own tests", async () => {
    const cases = readEvalCases(here);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    const manifestTests = agent.manifest.tests.map((t) => ({ ...t, files: [] }));
    for (const c of [...cases, ...manifestTests]) {
      const outcome = await runEvalCase(agent as never, here, c);
      expect(outcome.failures, c.name).toEqual([]);
    }
  });
});
