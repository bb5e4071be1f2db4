/**
 * One source object (file, S3 object, Kafka message) to column rows: picks the
 * parser from the bytes, then fills batches until the object is consumed.
 */
import type { FlowBatch } from '../core/flow-batch.js';
import type { RejectBatch } from '../core/rejects.js';
import { detectFormat } from '../decode/detect.js';
import { AwsTextParser } from './aws/text-parser.js';
import type { FormatPlan } from './aws/log-format.js';
import { AzureJsonParser } from './azure/json-parser.js';
import { unwrapMessageJson } from './aws/message-json.js';
import { AwsParquetParser } from './aws/parquet-parser.js';
import { isParquet, readParquetColumns } from '../decode/parquet.js';

export interface ObjectParser {
  /** Fills batch; true when the object is consumed, false when the batch is full. */
  fill(batch: FlowBatch, rejects: RejectBatch): boolean;
  /** Notices that are not rejects (e.g. unknown fields whose values are skipped). */
  readonly warnings?: readonly string[];
}

export interface ParseOptions { logFormat?: FormatPlan }

class AwsObjectParser implements ObjectParser {
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

/** Like openObjectParser, for any object: Parquet needs an asynchronous read before it can fill batches. */
export async function openAnyObjectParser(source: string, data: Buffer, opts: ParseOptions = {}): Promise<ObjectParser> {
  if (isParquet(data)) return new AwsParquetParser(source, await readParquetColumns(data));
  return openObjectParser(source, data, opts);
}

export function openObjectParser(source: string, data: Buffer, opts: ParseOptions = {}): ObjectParser {
  if (detectFormat(data.subarray(0, 64)) === 'aws-text') return new AwsObjectParser(source, data, opts.logFormat);
  // JSON: Azure flow logs, or AWS lines wrapped as {"message": "..."} (CloudWatch Logs / Firehose forwarding)
  const text = unwrapMessageJson(data);
  if (text) return new AwsObjectParser(source, text, opts.logFormat);
  return new AzureJsonParser(source, data);
}
