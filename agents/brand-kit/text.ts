/**
 * The buyer's words on their way into SVG and Markdown: cleaned once, then escaped for where they go.
 */

/**
 * Characters XML 1.0 forbids even when escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF) and
 * the bidirectional overrides, which can make a name display as something else than it is.
 */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]|[\u202A-\u202E\u2066-\u2069]/gu;

/** One line of display text: forbidden characters dropped, whitespace runs collapsed, ends trimmed. */
export function cleanLine(value: string): string {
  return value.replace(FORBIDDEN, '').replace(/\s+/g, ' ').trim();
}

/** For XML character data. `>` is escaped too so that `]]>` can never appear. */
export function escapeXmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For an XML attribute value in either kind of quotes. */
export function escapeXmlAttr(value: string): string {
  return escapeXmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * For a Markdown table cell or line: HTML is neutralised (renderers pass raw HTML through), and the
 * characters that would end a cell or start formatting are backslash-escaped.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1');
}

const segmenter = () => new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The first user-perceived character (so an accented letter or an emoji is not cut in half). */
function firstGrapheme(value: string): string {
  for (const { segment } of segmenter().segment(value)) return segment;
  return '';
}

/**
 * Up to two initials for the monogram: the first letter or digit of the first two words
 * ("Northwind Traders" → "NT", "A&B <Tools>" → "AB"), or of the two humps of a single camel-cased word
 * ("JetBrains" → "JB"); a single plain word gives one letter.
 */
export function initialsOf(name: string): string {
  const words = name.split(/[^\p{L}\p{N}\p{M}']+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const first = (word: string) => firstGrapheme(word.replace(/^[^\p{L}\p{N}]+/u, ''));
  if (words.length >= 2) return (first(words[0]!) + first(words[1]!)).toUpperCase();
  const only = words[0];
  if (only === undefined) return firstGrapheme(name.trim());
  const hump = /^\p{Lu}?[\p{Ll}\p{M}]+(\p{Lu})/u.exec(only);
  return hump ? (first(only) + hump[1]).toUpperCase() : first(only).toUpperCase();
}
