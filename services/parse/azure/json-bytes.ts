/**
 * Strict JSON (RFC 8259, as JSON.parse reads it) walked on bytes, for the
 * Azure blob scanner: skips values it does not need, reads the few it does,
 * and gives up (throws NotPlain) at the first byte where its answer could
 * differ from JSON.parse of the decoded text: invalid JSON, nesting past a
 * bound, or a string it would have to unescape or decode. The caller then
 * falls back to JSON.parse, which decides.
 */

import { isAscii } from 'node:buffer';

/** The document is not one the byte path reads exactly like JSON.parse. */
export class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain('not plain');

/** Deeper than any flow log; past it the general path (and JSON.parse's own limit) decides. */
const MAX_DEPTH = 64;

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58;
const LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93;

export function giveUp(): never {
  throw NOT_PLAIN;
}

export class JsonBytes {
  /** Offset of the next byte to read. */
  pos = 0;
  /** Set by `string`: the last string had no escape and no byte over 0x7f, so its bytes are its text. */
  plain = true;
  /** Set by `string`: the last string had an escape (its text is not its bytes). */
  escaped = false;
  /** Set by `string`: where the last string's content ends (its closing quote). */
  end = 0;

  /**
   * ASCII, no backslash, no control byte but tab, LF and CR (what Azure
   * writes): then a string ends at the next quote and its bytes are its text,
   * found by memchr instead of a loop over every byte. Tab, LF and CR are
   * only valid between tokens: `finish` checks that whitespace took them all.
   */
  private readonly clean: boolean;
  /** Tab, LF and CR bytes in the document, and those skipped as whitespace. */
  private readonly controls: number = 0;
  private controlsSkipped = 0;

  constructor(readonly b: Buffer) {
    this.clean = isAscii(b) && b.indexOf(BACKSLASH) < 0;
    for (let x = 0; x < 0x20 && this.clean; x++) {
      if (x !== 9 && x !== 10 && x !== 13) { if (b.indexOf(x) >= 0) this.clean = false; continue; }
      for (let p = b.indexOf(x); p >= 0; p = b.indexOf(x, p + 1)) this.controls++;
    }
  }

  /** At the end of the value: gives up unless only whitespace is left, and (clean) no tab, LF or CR sat inside a string. */
  finish(): void {
    if (this.peek() !== -1 || (this.clean && this.controlsSkipped !== this.controls)) giveUp();
  }

  /** Skips JSON whitespace; returns the next byte (-1 at the end). */
  peek(): number {
    const b = this.b;
    let p = this.pos;
    for (; p < b.length; p++) {
      const x = b[p]!;
      if (x === 32) continue;
      if (x !== 10 && x !== 13 && x !== 9) break;
      this.controlsSkipped++;
    }
    this.pos = p;
    return p < b.length ? b[p]! : -1;
  }

  /** Consumes byte `x` (after whitespace) or gives up. */
  expect(x: number): void {
    if (this.peek() !== x) giveUp();
    this.pos++;
  }

  /** Consumes `x` if it comes next (after whitespace). */
  eat(x: number): boolean {
    if (this.peek() !== x) return false;
    this.pos++;
    return true;
  }

  /** After a member or element: true for a comma, false for the closing `close`. */
  more(close: number): boolean {
    const x = this.peek();
    this.pos++;
    if (x === COMMA) return true;
    if (x !== close) giveUp();
    return false;
  }

  /** Reads a string at pos; returns its content's start (its end is `end`), with `pos` past the closing quote. */
  string(): number {
    if (this.peek() !== QUOTE) giveUp();
    const b = this.b;
    const start = this.pos + 1;
    if (this.clean) {
      const q = b.indexOf(QUOTE, start);
      if (q < 0) giveUp();
      this.plain = true; this.escaped = false;
      this.end = q; this.pos = q + 1;
      return start;
    }
    let plain = true, escaped = false;
    let p = start;
    for (;;) {
      if (p >= b.length) giveUp();
      const x = b[p]!;
      if (x === QUOTE) break;
      if (x < 0x20) giveUp();
      if (x === BACKSLASH) { plain = false; escaped = true; p = this.escape(p + 1); continue; }
      if (x > 0x7f) plain = false;
      p++;
    }
    this.plain = plain;
    this.escaped = escaped;
    this.end = p;
    this.pos = p + 1;
    return start;
  }

  /** Past one escape whose letter is at p. */
  private escape(p: number): number {
    const x = this.b[p];
    if (x === 117) { // \uXXXX
      for (let i = 1; i <= 4; i++) if (!isHex(this.b[p + i])) giveUp();
      return p + 5;
    }
    if (x === QUOTE || x === BACKSLASH || x === 47 || x === 98 || x === 102 || x === 110 || x === 114 || x === 116) return p + 1;
    return giveUp();
  }

  /** Does the last string, b[start, end), read exactly `key` (plain bytes only)? */
  is(start: number, key: Uint8Array): boolean {
    const b = this.b, n = this.end - start;
    if (n !== key.length || !this.plain) return false;
    for (let i = 0; i < n; i++) if (b[start + i] !== key[i]) return false;
    return true;
  }

  /**
   * Reads an object key and its colon; returns the key's start (see `string`).
   * An escaped key may spell one the caller looks for: give up rather than unescape.
   */
  key(): number {
    const k = this.string();
    if (this.escaped) giveUp();
    this.expect(COLON);
    return k;
  }

  /** Skips any value. */
  skip(depth = 0): void {
    const x = this.peek();
    if (x === QUOTE) { this.string(); return; }
    if (x === LBRACE || x === LBRACKET) {
      if (depth >= MAX_DEPTH) giveUp();
      this.pos++;
      const close = x === LBRACE ? RBRACE : RBRACKET;
      if (this.eat(close)) return;
      do {
        if (x === LBRACE) { this.string(); this.expect(COLON); }
        this.skip(depth + 1);
      } while (this.more(close));
      return;
    }
    if (x === 116) return this.word('true');
    if (x === 102) return this.word('false');
    if (x === 110) return this.word('null');
    this.number();
  }

  private word(w: string): void {
    for (let i = 0; i < w.length; i++) if (this.b[this.pos + i] !== w.charCodeAt(i)) giveUp();
    this.pos += w.length;
  }

  /** Skips a number (strict grammar: no leading zeros, no '+', digits after '.' and 'e'); returns its start. */
  number(): number {
    const b = this.b, start = this.peek() < 0 ? giveUp() : this.pos;
    let p = start;
    if (b[p] === 45) p++;
    if (b[p] === 48) p++;
    else if (isDigit(b[p])) while (isDigit(b[p])) p++;
    else giveUp();
    if (b[p] === 46) { p++; if (!isDigit(b[p])) giveUp(); while (isDigit(b[p])) p++; }
    if (b[p] === 101 || b[p] === 69) {
      p++;
      if (b[p] === 43 || b[p] === 45) p++;
      if (!isDigit(b[p])) giveUp();
      while (isDigit(b[p])) p++;
    }
    this.pos = p;
    return start;
  }
}

const isDigit = (x: number | undefined): boolean => x !== undefined && x >= 48 && x <= 57;
const isHex = (x: number | undefined): boolean =>
  x !== undefined && ((x >= 48 && x <= 57) || (x >= 65 && x <= 70) || (x >= 97 && x <= 102));

/** Key constants for `is`. */
export const keyBytes = (k: string): Uint8Array => Buffer.from(k, 'latin1');
