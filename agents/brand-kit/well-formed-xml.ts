/**
 * Test support: a small, strict XML 1.0 parser, used by the tests to prove the logo is well-formed
 * (a browser's SVG parser is just as strict, and no XML parser is among the dependencies). It throws
 * on what a conforming parser rejects: an unescaped `<` or `&`, an unknown entity, mismatched or
 * unclosed tags, a repeated attribute, characters XML forbids. DTDs are refused outright (a logo has
 * none, and they are how external entities get in).
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

const BAD_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(xml: string): XmlElement {
  // Sticky expressions carry their position in lastIndex: one pair per parse, never shared.
  const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  const SPACE = /[ \t\r\n]*/y;
  const bad = BAD_CHAR.exec(xml);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML`);
  let at = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${at}: ${JSON.stringify(xml.slice(at, at + 30))}`);
  };
  const skipSpace = () => {
    SPACE.lastIndex = at;
    SPACE.exec(xml);
    at = SPACE.lastIndex;
  };
  const name = () => {
    NAME.lastIndex = at;
    const m = NAME.exec(xml);
    if (!m) return fail('expected a name');
    at = NAME.lastIndex;
    return m[0];
  };
  const decode = (text: string): string =>
    text.replace(/&([^;]*);/g, (_, ref: string) => {
      const code = /^#x[0-9a-fA-F]+$/.test(ref)
        ? Number.parseInt(ref.slice(2), 16)
        : /^#[0-9]+$/.test(ref)
          ? Number.parseInt(ref.slice(1), 10)
          : null;
      if (code !== null) {
        const ch = String.fromCodePoint(code);
        if (BAD_CHAR.test(ch)) fail(`character reference &${ref}; is not allowed`);
        return ch;
      }
      const value = PREDEFINED[ref];
      return value ?? fail(`unknown entity &${ref};`);
    });
  const checkAmpersands = (text: string) => {
    if (/&(?![a-zA-Z][a-zA-Z0-9]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/.test(text)) fail('a bare & (not an entity)');
  };
  const misc = () => {
    for (;;) {
      skipSpace();
      if (xml.startsWith('<!--', at)) {
        const end = xml.indexOf('-->', at + 4);
        if (end < 0 || xml.slice(at + 4, end).includes('--')) fail('a broken comment');
        at = end + 3;
      } else if (xml.startsWith('<?', at)) {
        const end = xml.indexOf('?>', at);
        if (end < 0) fail('an unclosed processing instruction');
        at = end + 2;
      } else if (xml.startsWith('<!', at)) {
        fail('a DTD or other declaration');
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (xml[at] !== '<') fail('expected <');
    at++;
    const el: XmlElement = { name: name(), attributes: {}, children: [] };
    for (;;) {
      const before = at;
      skipSpace();
      if (xml.startsWith('/>', at)) {
        at += 2;
        return el;
      }
      if (xml[at] === '>') {
        at++;
        break;
      }
      if (at === before) fail('expected a space before an attribute');
      const attr = name();
      skipSpace();
      if (xml[at] !== '=') fail('expected =');
      at++;
      skipSpace();
      const quote = xml[at];
      if (quote !== '"' && quote !== "'") return fail('expected a quoted attribute value');
      const end = xml.indexOf(quote, at + 1);
      if (end < 0) fail('an unclosed attribute value');
      const raw = xml.slice(at + 1, end);
      if (raw.includes('<')) fail('a < in an attribute value');
      checkAmpersands(raw);
      if (attr in el.attributes) fail(`attribute ${attr} given twice`);
      el.attributes[attr] = decode(raw);
      at = end + 1;
    }
    for (;;) {
      const next = xml.indexOf('<', at);
      if (next < 0) fail(`<${el.name}> is never closed`);
      const text = xml.slice(at, next);
      if (text.includes(']]>')) fail(']]> in text');
      checkAmpersands(text);
      if (text) el.children.push(decode(text));
      at = next;
      if (xml.startsWith('</', at)) {
        at += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (xml[at] !== '>') fail('expected >');
        at++;
        return el;
      }
      if (xml.startsWith('<![CDATA[', at)) {
        const end = xml.indexOf(']]>', at);
        if (end < 0) fail('an unclosed CDATA section');
        el.children.push(xml.slice(at + 9, end));
        at = end + 3;
      } else if (xml.startsWith('<!--', at) || xml.startsWith('<?', at)) {
        misc();
      } else {
        el.children.push(element());
      }
    }
  };

  if (xml.startsWith('<?xml', at)) misc();
  misc();
  const root = element();
  misc();
  if (at !== xml.length) fail('content after the root element');
  return root;
}

/** Every element under `root` (itself included), depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap((c) => (typeof c === 'string' ? [] : allElements(c)))];
}

/** The text inside an element, its descendants' included. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
