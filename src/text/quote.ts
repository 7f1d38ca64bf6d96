// Text that came from a user, a file or a database, made safe to show on a terminal: the one place that decides
// how such text is printed. A control character (C0, DEL, C1: ESC, CR, LF, ...) would move the cursor, clear the
// screen, recolour or split the line, so it is shown escaped (`\x1b`, `\r`, `\n`, `\x9b`); so are the invisible
// characters that reorder or break a line (bidirectional overrides such as `\u{202e}`, U+2028/U+2029) and lone
// surrogates. Long text is cut with an ellipsis. Text without any of these is printed as it is.

/** How many characters of a quoted value are shown before the ellipsis: a study name (at most 100) fits whole. */
export const QUOTE_MAX = 120;

/** The longest message printed whole on a terminal (a last line of defence; quoted values are cut long before). */
export const MESSAGE_MAX = 2000;

const ELLIPSIS = '…';

/** Whether a code point is shown escaped: C0, DEL and C1 controls, the marks that reorder a line (bidirectional
 * controls), the line and paragraph separators, and a lone surrogate (iteration by code point yields one alone). */
function isControl(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x61c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

function escapeChar(ch: string, code: number): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  if (ch === '"' || ch === '\\') return `\\${ch}`;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** `text` with its control characters escaped (and `"` and `\` when `quoted`), cut after `max` characters. */
function escaped(text: string, max: number, quoted: boolean): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const escape = isControl(code) || (quoted && (ch === '"' || ch === '\\'));
    const piece = escape ? escapeChar(ch, code) : ch;
    // Cut between characters and escapes, never inside one.
    if (out.length + piece.length > max) return `${out}${ELLIPSIS}`;
    out += piece;
  }
  return out;
}

/**
 * `text` as it may be printed inside a line: every control character escaped (`\x1b`, `\r`, `\n`, `\xNN`,
 * `\u{...}`), and cut after `max` characters with an ellipsis. A backslash or quote mark is kept as it is: this is
 * for text shown bare (a table cell, a path, a whole message); a value quoted in a message takes quote().
 */
export function printable(text: string, max = Infinity): string {
  return escaped(text, max, false);
}

/**
 * A value quoted in a message: a string in double quotes, with control characters, `"` and `\` escaped and cut
 * after `max` characters (QUOTE_MAX) with an ellipsis (`"\x1b[31mEVIL"`); any other value as its JSON text (a
 * number as 5, undefined as undefined), made printable the same way.
 */
export function quote(value: unknown, max = QUOTE_MAX): string {
  if (typeof value === 'string') return `"${escaped(value, max, true)}"`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // a bigint, a cycle
  }
  return printable(text, max);
}

/** Names (of studies, say) listed in a message: each printable and cut, the first `limit` of them, then `...`. */
export function nameList(names: readonly string[], limit = 10): string {
  const shown = names.slice(0, limit).map((name) => printable(name, QUOTE_MAX));
  return `${shown.join(', ')}${names.length > limit ? ', ...' : ''}`;
}
