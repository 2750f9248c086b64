import { describe, expect, it } from 'vitest';
import { planLogoColours } from './logo-colours.ts';
import { renderLogo } from './logo-svg.ts';
import { buildPalette, MOODS, type Mood } from './palette.ts';
import { cleanLine, escapeMarkdown, escapeXmlAttr, escapeXmlText, initialsOf } from './text.ts';
import { contrastRatio } from './wcag.ts';
import { allElements, parseXml, textOf, type XmlElement } from './well-formed-xml.ts';

function logo(company: string, mood: Mood, primary = '#1f6feb', tagline: string | null = null) {
  const palette = buildPalette(mood, primary, null);
  const plan = planLogoColours(palette, tagline !== null);
  const svg = renderLogo({ company, tagline, initials: initialsOf(company), mood, colours: plan.colours });
  return { svg, plan, root: parseXml(svg) };
}

describe('the XML check the tests rely on', () => {
  it('rejects what a strict parser rejects', () => {
    for (const bad of [
      '<svg><text>A&B</text></svg>',
      '<svg><text>a<b</text></svg>',
      '<svg><text>A &amp B</text></svg>',
      '<svg><text>&nbsp;</text></svg>',
      '<svg><g></svg>',
      '<svg><g></h></svg>',
      '<svg a="1" a="2"/>',
      '<svg a="<"/>',
      '<svg a="x&y"/>',
      '<svg a=1/>',
      '<svg/><svg/>',
      '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
      '<svg>\u0001</svg>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
  });

  it('accepts escaped text and decodes it', () => {
    const root = parseXml(
      `<?xml version="1.0"?><svg a="&quot;x&apos; &lt;"><t>A&amp;B &lt;T&gt; &#x263A;</t></svg>`,
    );
    expect(root.attributes.a).toBe(`"x' <`);
    expect(textOf(root)).toBe('A&B <T> ☺');
  });
});

describe('escaping and cleaning', () => {
  it('escapes XML text and attributes', () => {
    expect(escapeXmlText(`A&B <Tools> "x" ]]>`)).toBe('A&amp;B &lt;Tools&gt; "x" ]]&gt;');
    expect(escapeXmlAttr(`'a' & "b"`)).toBe('&apos;a&apos; &amp; &quot;b&quot;');
  });

  it('neutralises HTML and table pipes in Markdown', () => {
    expect(escapeMarkdown('<script>a|b</script> *x*')).toBe('&lt;script&gt;a\\|b&lt;/script&gt; \\*x\\*');
  });

  it('drops characters XML forbids and bidi overrides, and collapses spaces', () => {
    expect(cleanLine('  A\u0000c\u0008me\u202E  Co\n\tLtd \uD800 ')).toBe('Acme Co Ltd');
    expect(cleanLine('Café 😀')).toBe('Café 😀');
  });

  it('picks initials', () => {
    expect(initialsOf('Acme')).toBe('A');
    expect(initialsOf('Northwind Traders')).toBe('NT');
    expect(initialsOf('A&B <Tools> "x"')).toBe('AB');
    expect(initialsOf('JetBrains')).toBe('JB');
    expect(initialsOf('éclair studio')).toBe('ÉS');
    expect(initialsOf('42 Labs')).toBe('4L');
    expect(initialsOf('&&&')).toBe('&');
  });
});

describe('the logo', () => {
  const shapes: Record<Mood, (els: XmlElement[]) => boolean> = {
    calm: (els) => els.some((e) => e.name === 'circle'),
    bold: (els) => els.some((e) => e.name === 'polygon' && e.attributes.points!.split(' ').length === 6),
    playful: (els) =>
      els.some((e) => e.name === 'rect' && e.attributes.transform?.startsWith('rotate(') === true),
    serious: (els) => els.some((e) => e.name === 'rect' && e.attributes.rx === '6'),
    elegant: (els) => els.some((e) => e.name === 'polygon' && e.attributes.points!.split(' ').length === 4),
  };

  it('draws a mark whose shape follows the mood, with a generic font stack', () => {
    for (const mood of MOODS) {
      const { root } = logo('Northwind Traders', mood);
      const mark = allElements(root).find((e) => e.name === 'g')!;
      expect(shapes[mood](allElements(mark)), mood).toBe(true);
      for (const t of allElements(root).filter((e) => e.name === 'text')) {
        expect(t.attributes['font-family']).toMatch(/, (sans-serif|serif)$/);
      }
      expect(textOf(mark).trim()).toBe('NT');
    }
  });

  it('is sized by its content: a viewBox, width and height that agree', () => {
    const short = logo('Acme', 'calm').root.attributes;
    const long = logo('The Very Long Name of a Company That Makes Things Ltd', 'calm').root.attributes;
    expect(short.viewBox).toBe(`0 0 ${short.width} ${short.height}`);
    expect(Number(long.width)).toBeGreaterThan(Number(short.width) * 3);
    expect(long.height).toBe(short.height);
  });

  it('escapes any company name and tagline into well-formed SVG', () => {
    const company = `A&B <Tools> "x" 'y' ]]>`;
    const tagline = `</text><script>alert(1)</script> & more`;
    const { svg, root } = logo(company, 'bold', '#1f6feb', tagline);
    const texts = allElements(root).filter((e) => e.name === 'text');
    expect(texts.map(textOf)).toEqual(['AB', company, tagline]);
    expect(textOf(allElements(root).find((e) => e.name === 'title')!)).toBe(`${company} logo`);
    expect(allElements(root).some((e) => e.name === 'script')).toBe(false);
    expect(svg).not.toContain('<Tools>');
  });

  it('keeps every text at AA against what is behind it, whatever the main colour', () => {
    for (const primary of ['#ffcc00', '#1f6feb', '#777777', '#00ff00', '#ffffff', '#000000', '#ff4fa3']) {
      for (const mood of MOODS) {
        const { plan, root } = logo('Acme Widgets', mood, primary, 'Built to last');
        const els = allElements(root);
        const background = els.find((e) => e.name === 'rect')!.attributes.fill!;
        const mark = els.find((e) => e.name === 'g')!;
        const markBody = mark.children.find((c): c is XmlElement => typeof c !== 'string')!;
        const markFill = markBody.attributes.fill!;
        for (const t of els.filter((e) => e.name === 'text')) {
          const behind = allElements(mark).includes(t) ? markFill : background;
          expect(
            contrastRatio(t.attributes.fill!, behind),
            `${primary} ${mood} ${textOf(t)}`,
          ).toBeGreaterThanOrEqual(4.5);
        }
        expect(plan.pairs.every((p) => p.aaNormal)).toBe(true);
      }
    }
  });

  it('records the lightness adjustments it had to make', () => {
    const { plan } = logo('Acme', 'calm', '#ffcc00');
    const wordmark = plan.adjustments.find((a) => a.element === 'wordmark')!;
    expect(wordmark).toMatchObject({ intended: 'primary', intendedHex: '#ffcc00' });
    expect(wordmark.ratioBefore).toBeLessThan(4.5);
    expect(wordmark.ratioAfter).toBeGreaterThanOrEqual(4.5);
    expect(plan.colours.wordmark).toBe(wordmark.usedHex);
    expect(logo('Acme', 'calm', '#0a3d91').plan.adjustments).toEqual([]);
  });
});
