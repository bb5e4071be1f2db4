/**
 * Text from data (flow logs, IPAM and inventory exports, S3 keys) made safe to
 * show in a terminal or a Markdown page. Such a value may carry an escape
 * sequence ("\x1b]0;title\x07" sets a window title, "\x1b[2J" clears the
 * screen), a newline that breaks a table row, or a bidi override that makes
 * text read backwards. Every such character is shown, not obeyed:
 *
 * - \t \n \r become the two characters `\t` `\n` `\r`;
 * - every other C0 control (U+0000-U+001F), DEL (U+007F), C1 control
 *   (U+0080-U+009F), bidi embedding/override/isolate/mark (U+061C, U+200E,
 *   U+200F, U+202A-U+202E, U+2066-U+2069) and line/paragraph separator
 *   (U+2028, U+2029) becomes `\uXXXX` (4 lower-case hex digits), the way
 *   JSON writes it.
 *
 * Display only: what the store holds and what JSON/CSV outputs give stays
 * exact. The renderer's own newlines and tabs are its own, never a value's.
 */

/** Characters that a terminal or a text renderer would obey rather than show. */
// eslint-disable-next-line no-control-regex -- finding control characters is this module's purpose
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_G = new RegExp(UNSAFE.source, 'gu');

const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** The visible form of one unsafe character. */
export function escapeChar(ch: string): string {
  return SHORT[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** True when `s` holds nothing a terminal would obey. */
export const isSafeText = (s: string): boolean => !UNSAFE.test(s);

/** Longest value shown in one line of terminal output unless a caller says otherwise. */
export const DISPLAY_MAX = 300;

/** The marker that ends a shortened value: how many characters of the value are not shown. */
export const truncationMarker = (hidden: number): string => `…[+${hidden} chars]`;

/**
 * One value as one line of safe text, at most `max` visible characters (code
 * points, escapes counted as shown) plus the truncation marker. Non-strings
 * are shown as String(v); null and undefined as ''.
 */
export function safeText(value: unknown, max = DISPLAY_MAX): string {
  const s = value === null || value === undefined ? '' : String(value);
  // the common case, a short clean value, costs one test
  if (s.length <= max && !UNSAFE.test(s)) return s;
  let out = '';
  let shown = 0;
  let i = 0;
  const chars = Array.from(s); // code points: never split a surrogate pair
  for (; i < chars.length; i++) {
    const ch = chars[i]!;
    const piece = UNSAFE.test(ch) ? escapeChar(ch) : ch;
    const width = piece === ch ? 1 : piece.length; // an escape is ASCII
    if (shown + width > max) break;
    out += piece;
    shown += width;
  }
  return i < chars.length ? `${out}${truncationMarker(chars.length - i)}` : out;
}

/**
 * Multi-line text whose line breaks are meant (an error message, an SQL
 * query): each line made safe on its own, joined with "\n" again. A CR, tab
 * or any other control inside a line is shown as an escape.
 */
export function safeLines(value: string, maxPerLine = Infinity): string {
  return value.split(/\r?\n/).map((l) => safeText(l, maxPerLine)).join('\n');
}

/** Every string in a JSON-like value made safe (for a renderer that takes a whole result). */
export function safeDeep<T>(value: T, max = DISPLAY_MAX): T {
  if (typeof value === 'string') return safeText(value, max) as T;
  if (Array.isArray(value)) return value.map((v) => safeDeep(v, max)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k, max), safeDeep(v, max)])) as T;
  }
  return value;
}

/** Replaces unsafe characters without shortening (for text measured afterwards, e.g. by a table). */
export const escapeUnsafe = (s: string): string => s.replace(UNSAFE_G, escapeChar);

/**
 * Terminal columns a safe text takes, to align tables: East Asian wide and
 * fullwidth characters and most emoji take two, combining marks and
 * zero-width characters none, everything else one.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (COMBINING.test(ch) || (c >= 0x200b && c <= 0x200d) || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xfeff) continue;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) || (c >= 0xac00 && c <= 0xd7a3)
      || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)
      || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return w;
}

const COMBINING = /^(\p{Mn}|\p{Me})$/u;

/** `s` padded with spaces to `width` terminal columns, on the right (left-aligned) or the left. */
export function padDisplay(s: string, width: number, alignRight = false): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return alignRight ? fill + s : s + fill;
}
