/**
 * One source object (file, S3 object, Kafka message) to column rows: picks the
 * parser from the bytes, then fills batches until the object is consumed.
 */
import type { FlowBatch } from '../core/flow-batch.js';
import { QuarantineError, type RejectBatch } from '../core/rejects.js';
import { DEFAULT_LIMITS, type Limits } from '../../schemas/config.js';
import { detectFormat } from '../decode/sniff.js';
import { AwsTextParser } from './aws/text-parser.js';
import type { FormatPlan } from './aws/log-format.js';
import { AzureJsonParser } from './azure/json-parser.js';
import { unwrapMessageJson } from './aws/message-json.js';
import { AwsParquetParser } from './aws/parquet-parser.js';
import { isParquet, readParquetColumns, startsLikeParquet } from '../decode/parquet.js';
import { isGzip } from '../decode/gzip.js';
import { decodedWindows, type ObjectBody } from '../decode/stream.js';
import { AwsStreamParser } from './aws/stream-parser.js';

export interface ObjectParser {
  /**
   * Fills batch; true when the object is consumed, false when the batch is
   * full. A streamed object answers with a promise when it must wait for
   * bytes; buffered ones answer at once (the hot path stays synchronous).
   */
  fill(batch: FlowBatch, rejects: RejectBatch): boolean | Promise<boolean>;
  /** Notices that are not rejects (e.g. unknown fields whose values are skipped). */
  readonly warnings?: readonly string[];
}

/** A parser over bytes already in memory: always answers at once. */
export interface BufferedObjectParser extends ObjectParser {
  fill(batch: FlowBatch, rejects: RejectBatch): boolean;
}

export interface ParseOptions {
  logFormat?: FormatPlan;
  /** limits.max_line_bytes and max_document_bytes (defaults: DEFAULT_LIMITS). */
  limits?: Partial<Pick<Limits, 'max_line_bytes' | 'max_document_bytes'>>;
}

const maxDocument = (opts: ParseOptions): number => opts.limits?.max_document_bytes ?? DEFAULT_LIMITS.max_document_bytes;

/** The object is a document too large to read whole. */
export function documentTooLarge(source: string, what: string, limit: number): QuarantineError {
  return new QuarantineError('TOO_LARGE', `${source}: ${what} is larger than limits.max_document_bytes (${limit} bytes)`);
}

class AwsObjectParser implements BufferedObjectParser {
  private pos = 0;
  private readonly parser: AwsTextParser;
  constructor(source: string, private readonly buf: Buffer, plan?: FormatPlan, maxLine?: number) {
    this.parser = new AwsTextParser(source, plan, maxLine);
  }
  get warnings(): readonly string[] { return this.parser.warnings; }
  fill(batch: FlowBatch, rejects: RejectBatch): boolean {
    this.pos = this.parser.parse(this.buf, this.pos, this.buf.length, true, batch, rejects);
    return this.pos >= this.buf.length;
  }
}

/**
 * An object as fetched (maybe gzip, maybe still arriving): AWS text is parsed
 * while it is decompressed (and downloaded), window by window; JSON and
 * Parquet need the whole document and are gathered whole, up to
 * limits.max_document_bytes (past it: TOO_LARGE, the rest is not inflated).
 * Rejects with an error when even the start of the object cannot be read.
 */
export async function openRawObjectParser(source: string, raw: ObjectBody, opts: ParseOptions = {}): Promise<ObjectParser> {
  if (Buffer.isBuffer(raw) && !isGzip(raw)) return openAnyObjectParser(source, raw, opts);
  const windows = decodedWindows(raw);
  const first = await windows.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  if (detectFormat(head.subarray(0, 64)) === 'aws-text' && !startsLikeParquet(head)) {
    return new AwsStreamParser(source, head, windows, opts.logFormat, opts.limits?.max_line_bytes);
  }
  const limit = maxDocument(opts);
  const parts = [head];
  let size = head.length;
  for (;;) {
    if (size > limit) {
      await windows.return(undefined); // stops inflating
      throw documentTooLarge(source, `the ${startsLikeParquet(head) ? 'Parquet' : 'JSON'} document, decompressed,`, limit);
    }
    const r = await windows.next();
    if (r.done) break;
    parts.push(r.value);
    size += r.value.length;
  }
  return openAnyObjectParser(source, Buffer.concat(parts), opts);
}

/** Like openObjectParser, for any object: Parquet needs an asynchronous read before it can fill batches. */
export async function openAnyObjectParser(source: string, data: Buffer, opts: ParseOptions = {}): Promise<BufferedObjectParser> {
  if (isParquet(data)) {
    if (data.length > maxDocument(opts)) throw documentTooLarge(source, 'the Parquet file', maxDocument(opts));
    return new AwsParquetParser(source, await readParquetColumns(source, data, maxDocument(opts)));
  }
  return openObjectParser(source, data, opts);
}

/** A parser for bytes in memory; a JSON document larger than limits.max_document_bytes throws TOO_LARGE (a QuarantineError). */
export function openObjectParser(source: string, data: Buffer, opts: ParseOptions = {}): BufferedObjectParser {
  if (detectFormat(data.subarray(0, 64)) === 'aws-text') return new AwsObjectParser(source, data, opts.logFormat, opts.limits?.max_line_bytes);
  // parsed whole (JSON.parse): a document's parse costs several times its size
  if (data.length > maxDocument(opts)) throw documentTooLarge(source, 'the JSON document', maxDocument(opts));
  // JSON: Azure flow logs, or AWS lines wrapped as {"message": "..."} (CloudWatch Logs / Firehose forwarding)
  const text = unwrapMessageJson(data);
  if (text) return new AwsObjectParser(source, text, opts.logFormat, opts.limits?.max_line_bytes);
  return new AzureJsonParser(source, data);
}
