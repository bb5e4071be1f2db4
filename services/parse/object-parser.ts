/**
 * One source object (file, S3 object, Kafka message) to column rows: picks the
 * parser from the bytes, then fills batches until the object is consumed.
 */
import type { FlowBatch } from '../core/flow-batch.js';
import type { RejectBatch } from '../core/rejects.js';
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

export interface ParseOptions { logFormat?: FormatPlan }

class AwsObjectParser implements BufferedObjectParser {
  private pos = 0;
  private readonly parser: AwsTextParser;
  constructor(source: string, private readonly buf: Buffer, plan?: FormatPlan) {
    this.parser = new AwsTextParser(source, plan);
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
 * Parquet need the whole document and are gathered whole. Rejects with an
 * error when even the start of the object cannot be read.
 */
export async function openRawObjectParser(source: string, raw: ObjectBody, opts: ParseOptions = {}): Promise<ObjectParser> {
  if (Buffer.isBuffer(raw) && !isGzip(raw)) return openAnyObjectParser(source, raw, opts);
  const windows = decodedWindows(raw);
  const first = await windows.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  if (detectFormat(head.subarray(0, 64)) === 'aws-text' && !startsLikeParquet(head)) return new AwsStreamParser(source, head, windows, opts.logFormat);
  const parts = [head];
  for await (const w of windows) parts.push(w);
  return openAnyObjectParser(source, Buffer.concat(parts), opts);
}

/** Like openObjectParser, for any object: Parquet needs an asynchronous read before it can fill batches. */
export async function openAnyObjectParser(source: string, data: Buffer, opts: ParseOptions = {}): Promise<BufferedObjectParser> {
  if (isParquet(data)) return new AwsParquetParser(source, await readParquetColumns(data));
  return openObjectParser(source, data, opts);
}

export function openObjectParser(source: string, data: Buffer, opts: ParseOptions = {}): BufferedObjectParser {
  if (detectFormat(data.subarray(0, 64)) === 'aws-text') return new AwsObjectParser(source, data, opts.logFormat);
  // JSON: Azure flow logs, or AWS lines wrapped as {"message": "..."} (CloudWatch Logs / Firehose forwarding)
  const text = unwrapMessageJson(data);
  if (text) return new AwsObjectParser(source, text, opts.logFormat);
  return new AzureJsonParser(source, data);
}
