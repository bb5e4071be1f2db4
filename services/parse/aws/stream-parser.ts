/**
 * AWS text lines from a stream of decompressed windows: each fill parses what
 * the current window holds; a line cut at a window's end is joined with the
 * start of the next (only that line is copied). Line numbers (reject positions, resume points) run on across windows,
 * so a streamed object gives exactly the rows and rejects of a buffered one.
 *
 * A stream that breaks mid-object (truncated or corrupt gzip) keeps the rows
 * read so far and ends with one DECODE reject at the line where it broke: the
 * same bytes break at the same place on a replay, so exactly-once holds.
 * The line the break cut (no newline yet) is never parsed: its fields may
 * still parse (a `bytes` of 301302 cut from 3013022733), so it goes into the
 * DECODE reject as its raw text instead. Only a clean end makes an
 * unterminated last line a record (files often lack a final newline).
 * A body that the source could not deliver (SOURCE_UNAVAILABLE: the server or
 * network failed) is not the object's fault: fill throws it, with the whole
 * lines before the break in the batch and the cut line left out, so the
 * caller can store what it has and leave the rest for a re-run.
 *
 * A line longer than the parser's maxLine (limits.max_line_bytes) that runs on
 * across windows is not gathered: its first bytes are kept for the
 * LINE_TOO_LONG reject, the rest is dropped as it arrives, and parsing goes on
 * after its newline (a gigabyte of zeros with no newline costs one window).
 */
import { FlowlogError } from '../../core/errors.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import type { RejectBatch } from '../../core/rejects.js';
import type { ObjectParser } from '../object-parser.js';
import type { FormatPlan } from './log-format.js';
import { AwsTextParser, LONG_LINE_RAW } from './text-parser.js';

const NL = 0x0a;
const EMPTY = Buffer.alloc(0);

export class AwsStreamParser implements ObjectParser {
  private readonly parser: AwsTextParser;
  private buf: Buffer;
  private pos = 0;
  private ended = false;
  private broken: Error | null = null;
  /** The unterminated line a break cut short: the DECODE reject's raw text, never a record. */
  private cut: Buffer = Buffer.alloc(0);
  /** The rest of a window whose first line was joined to the previous window's tail. */
  private after: Buffer | null = null;
  /** An over-long line being skipped: its first bytes and its length so far. */
  private long: { head: Buffer; bytes: number } | null = null;

  constructor(private readonly source: string, first: Buffer, private readonly rest: AsyncIterator<Buffer>, plan?: FormatPlan, maxLine?: number) {
    this.parser = new AwsTextParser(source, plan, maxLine);
    this.buf = first;
  }

  get warnings(): readonly string[] { return this.parser.warnings; }

  fill(batch: FlowBatch, rejects: RejectBatch): boolean | Promise<boolean> {
    this.pos = this.parser.parse(this.buf, this.pos, this.buf.length, this.ended, batch, rejects);
    if (batch.length >= batch.capacity || rejects.full) return false;
    if (this.ended) return this.finish(rejects);
    return this.refill(rejects).then(() => {
      if (FlowlogError.is(this.broken, 'SOURCE_UNAVAILABLE')) throw this.broken;
      return this.fill(batch, rejects);
    });
  }

  private finish(rejects: RejectBatch): boolean {
    if (this.broken) {
      rejects.add(this.source, this.parser.line + 1, 'DECODE', `the object could not be read past line ${this.parser.line}: ${this.broken.message}`, this.cut);
      this.broken = null;
      this.cut = Buffer.alloc(0);
    }
    return true;
  }

  private async refill(rejects: RejectBatch): Promise<void> {
    const carry = this.buf.subarray(this.pos);
    this.pos = 0;
    if (this.after) {
      // the joined line is consumed: go on in the window it came from, no copy
      this.buf = this.after;
      this.after = null;
      return;
    }
    let next: IteratorResult<Buffer>;
    try { next = await this.rest.next(); } catch (e) {
      // whatever broke the stream, the carried line has no newline and never will in these bytes
      this.broken = e as Error;
      this.ended = true;
      this.cut = this.long ? this.long.head : carry;
      this.long = null;
      this.buf = EMPTY;
      return;
    }
    if (next.done) {
      this.ended = true;
      this.buf = carry;
      // a clean end makes the unterminated last line a record: an over-long one is its reject
      if (this.long) this.endLongLine(rejects, 0);
      return;
    }
    const w = next.value;
    if (this.long) {
      const end = w.indexOf(NL);
      if (end < 0) { this.long.bytes += w.length; this.buf = EMPTY; return; }
      this.endLongLine(rejects, end);
      this.buf = w.subarray(end + 1);
      return;
    }
    const nl = carry.length ? w.indexOf(NL) : -1;
    if (carry.length === 0) this.buf = w;
    else if (nl < 0 && carry.length + w.length > this.parser.maxLine) {
      // over the limit with no end in sight: keep the head for the reject, drop the rest as it arrives
      this.long = { head: Buffer.concat([carry.subarray(0, LONG_LINE_RAW), w.subarray(0, LONG_LINE_RAW)]).subarray(0, LONG_LINE_RAW), bytes: carry.length + w.length };
      this.buf = EMPTY;
    } else if (nl < 0) this.buf = Buffer.concat([carry, w]); // a line longer than a window, under the limit (rare)
    else {
      // only the line cut at the window's edge is copied; the rest of the new window is parsed in place
      this.buf = Buffer.concat([carry, w.subarray(0, nl + 1)]);
      this.after = w.subarray(nl + 1);
    }
  }

  /** The skipped line ends (`more` bytes into this window): one LINE_TOO_LONG reject at its line number. */
  private endLongLine(rejects: RejectBatch, more: number): void {
    const long = this.long!;
    this.long = null;
    this.parser.line++;
    this.parser.rejectLongLine(rejects, long.bytes + more, long.head);
  }
}
