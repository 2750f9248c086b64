import type { LogoColours } from './logo-colours.ts';
import type { Mood } from './palette.ts';
import { escapeXmlAttr, escapeXmlText } from './text.ts';
import { estimateTextWidth } from './text-metrics.ts';

/**
 * The logo as SVG text: a monogram mark whose shape follows the mood, the name as a wordmark and the
 * tagline under it. Self-contained on purpose: no font files, images, links, styles or scripts, so it
 * renders the same offline, in an <img>, and in a design tool, and is safe to inline in a page.
 */

export interface LogoSpec {
  company: string;
  tagline: string | null;
  initials: string;
  mood: Mood;
  colours: LogoColours;
}

interface Typeface {
  /** Local families then a generic one: always something to render with, nothing to download. */
  family: string;
  wordWeight: number;
  initialsWeight: number;
  letterSpacing: number;
}

const TYPEFACES: Record<Mood, Typeface> = {
  calm: {
    family: "'Segoe UI', 'Helvetica Neue', Helvetica, Arial, sans-serif",
    wordWeight: 500,
    initialsWeight: 600,
    letterSpacing: 0.2,
  },
  bold: {
    family: "'Helvetica Neue', Helvetica, Arial, sans-serif",
    wordWeight: 800,
    initialsWeight: 800,
    letterSpacing: 0.4,
  },
  playful: {
    family: "'Trebuchet MS', 'Avenir Next', 'Segoe UI', sans-serif",
    wordWeight: 700,
    initialsWeight: 700,
    letterSpacing: 0,
  },
  serious: {
    family: "'Helvetica Neue', Helvetica, Arial, sans-serif",
    wordWeight: 600,
    initialsWeight: 700,
    letterSpacing: 0.3,
  },
  elegant: {
    family: "Didot, 'Bodoni 72', Georgia, 'Times New Roman', serif",
    wordWeight: 400,
    initialsWeight: 400,
    letterSpacing: 3,
  },
};

const PAD = 32;
const MARK = 96;
const GAP = 28;
const HEIGHT = MARK + 2 * PAD;
const WORD_SIZE = 44;
const TAGLINE_SIZE = 17;
/** The widest the initials may be inside the mark before their size shrinks. */
const INITIALS_ROOM = 62;

const n = (v: number) => String(Math.round(v * 100) / 100);

function polygon(points: [number, number][]): string {
  return points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
}

function regularPolygon(cx: number, cy: number, radius: number, sides: number, rotation: number) {
  return Array.from({ length: sides }, (_, i): [number, number] => {
    const a = ((rotation + (360 / sides) * i) * Math.PI) / 180;
    return [cx + radius * Math.cos(a), cy + radius * Math.sin(a)];
  });
}

/** The mark's shapes: filled body first, ornaments after, all behind the initials. */
function markShapes(mood: Mood, cx: number, cy: number, c: LogoColours): string[] {
  const r = MARK / 2;
  switch (mood) {
    case 'calm':
      return [
        `<circle cx="${n(cx)}" cy="${n(cy)}" r="${r - 4}" fill="${c.markFill}"/>`,
        `<circle cx="${n(cx)}" cy="${n(cy)}" r="${r - 1}" fill="none" stroke="${c.detail}" stroke-width="2"/>`,
      ];
    case 'bold':
      return [
        `<polygon points="${polygon(regularPolygon(cx, cy, r, 6, -90))}" fill="${c.markFill}"/>`,
        `<polygon points="${polygon(regularPolygon(cx, cy, r - 8, 6, -90))}" fill="none" stroke="${c.detail}" stroke-width="3"/>`,
      ];
    case 'playful':
      return [
        `<rect x="${n(cx - 42)}" y="${n(cy - 42)}" width="84" height="84" rx="26" fill="${c.markFill}" transform="rotate(-8 ${n(cx)} ${n(cy)})"/>`,
        `<circle cx="${n(cx + 38)}" cy="${n(cy - 38)}" r="10" fill="${c.detail}"/>`,
      ];
    case 'serious':
      return [
        `<rect x="${n(cx - 44)}" y="${n(cy - 44)}" width="88" height="88" rx="6" fill="${c.markFill}"/>`,
        `<rect x="${n(cx - 44)}" y="${n(cy + 34)}" width="88" height="10" fill="${c.detail}"/>`,
      ];
    case 'elegant':
      return [
        `<polygon points="${polygon(regularPolygon(cx, cy, r, 4, -90))}" fill="${c.markFill}" stroke="${c.markStroke ?? c.detail}" stroke-width="2"/>`,
        `<polygon points="${polygon(regularPolygon(cx, cy, r - 7, 4, -90))}" fill="none" stroke="${c.detail}" stroke-width="1"/>`,
      ];
  }
}

const SHAPE_NAMES: Record<Mood, string> = {
  calm: 'circle',
  bold: 'hexagon',
  playful: 'tilted rounded square',
  serious: 'square',
  elegant: 'outlined diamond',
};

export function renderLogo(spec: LogoSpec): string {
  const face = TYPEFACES[spec.mood];
  const c = spec.colours;
  const cx = PAD + MARK / 2;
  const cy = PAD + MARK / 2;

  const wordStyle = { fontSize: WORD_SIZE, fontWeight: face.wordWeight, letterSpacing: face.letterSpacing };
  const tagStyle = { fontSize: TAGLINE_SIZE, fontWeight: 400, letterSpacing: 0.4 };
  const wordWidth = estimateTextWidth(spec.company, wordStyle);
  const tagWidth = spec.tagline ? estimateTextWidth(spec.tagline, tagStyle) : 0;
  const textX = PAD + MARK + GAP;
  const width = Math.ceil(textX + Math.max(wordWidth, tagWidth) + PAD);

  // Baselines from Helvetica's cap height (~0.72 em), so the capitals sit centred on the mark.
  const wordBaseline = spec.tagline ? cy + 6 : cy + WORD_SIZE * 0.36;
  const tagBaseline = wordBaseline + 30;

  const baseSize = spec.mood === 'elegant' ? 34 : 40;
  const initialsSize = Math.min(
    [...spec.initials].length > 1 ? baseSize * 0.85 : baseSize,
    (INITIALS_ROOM /
      Math.max(1, estimateTextWidth(spec.initials, { ...wordStyle, fontSize: 1, letterSpacing: 0 }))) *
      (spec.mood === 'elegant' ? 0.8 : 1),
  );
  const initialsY = (spec.mood === 'serious' ? cy - 4 : cy) + initialsSize * 0.36;

  const family = escapeXmlAttr(face.family);
  const company = escapeXmlText(spec.company);
  const title = escapeXmlText(`${spec.company} logo`);
  const desc = escapeXmlText(
    `Monogram ${spec.initials} in a ${SHAPE_NAMES[spec.mood]}, beside the name ${spec.company}` +
      (spec.tagline ? ` and the tagline “${spec.tagline}”.` : '.'),
  );

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-labelledby="logo-title logo-desc">`,
    `  <title id="logo-title">${title}</title>`,
    `  <desc id="logo-desc">${desc}</desc>`,
    `  <rect width="${width}" height="${HEIGHT}" rx="16" fill="${c.background}"/>`,
    '  <g>',
    ...markShapes(spec.mood, cx, cy, c).map((s) => `    ${s}`),
    `    <text x="${n(cx)}" y="${n(initialsY)}" text-anchor="middle" font-family="${family}" font-size="${n(initialsSize)}" font-weight="${face.initialsWeight}" fill="${c.initials}" aria-hidden="true">${escapeXmlText(spec.initials)}</text>`,
    '  </g>',
    `  <text x="${textX}" y="${n(wordBaseline)}" font-family="${family}" font-size="${WORD_SIZE}" font-weight="${face.wordWeight}" letter-spacing="${face.letterSpacing}" fill="${c.wordmark}">${company}</text>`,
  ];
  if (spec.tagline) {
    lines.push(
      `  <text x="${textX}" y="${n(tagBaseline)}" font-family="${family}" font-size="${TAGLINE_SIZE}" font-weight="400" letter-spacing="0.4" fill="${c.tagline}">${escapeXmlText(spec.tagline)}</text>`,
    );
  }
  lines.push('</svg>', '');
  return lines.join('\n');
}
