/**
 * The quarantine: every record we could not parse, with where it came from and
 * a stable reason code. Rejects are usually rare, so one object each is fine;
 * a batch of them is bounded (count and characters) so that an object of junk
 * is stored in pieces instead of held whole (`full` tells the parsers to stop).
 */
import { DEFAULT_LIMITS } from '../../schemas/config.js';
import { FlowlogError } from './errors.js';

export const REJECT_REASONS = {
  FIELD_COUNT: 'record has a different number of fields than its format declares',
  EMPTY_FIELD: 'a field is empty (two separators in a row)',
  BAD_ADDR: 'an address field is not a valid IPv4 or IPv6 address',
  BAD_NUMBER: 'a numeric field is not an unsigned integer in range',
  BAD_PORT: 'a port is above 65535',
  BAD_TIME: 'a timestamp is missing or not a Unix time',
  BAD_ENUM: 'a field has a value outside its documented set (action, log-status, direction, ...)',
  BINARY: 'the record holds control or non-ASCII bytes',
  LINE_TOO_LONG: 'the record is longer than the limit',
  BAD_JSON: 'the object is not valid JSON in the expected Azure layout',
  BAD_TUPLE: 'an Azure flow tuple does not have 8 (NSG v1) or 13 (NSG v2, VNet) fields',
  NO_TIME: 'the declared format has neither start nor end',
  DECODE: 'the object could not be decoded (corrupt gzip, unreadable, a Parquet footer that disagrees with its rows)',
  TOO_LARGE: 'the document or message is larger than its limit once decompressed (limits.max_document_bytes, limits.max_message_bytes)',
  NOT_ALLOWED: 'a notification named an object outside the source\'s s3.allow list: it was not fetched',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

export interface RejectedRecord {
  source: string;
  /** 1-based line number for text; tuple path (record/flow/group/tuple) for Azure JSON. */
  position: string;
  reason: RejectReason;
  detail: string;
  raw: string;
}

/** Characters of a record's raw text kept in the quarantine. */
export const RAW_LIMIT = 1024;
/** Characters of a reject's detail kept (details quote values). */
const DETAIL_LIMIT = 1024;

/** How many rejects a batch holds before it must be stored (limits.max_rejects_per_batch and max_reject_bytes_per_batch). */
export interface RejectCaps { maxCount: number; maxBytes: number }

export const DEFAULT_REJECT_CAPS: RejectCaps = { maxCount: DEFAULT_LIMITS.max_rejects_per_batch, maxBytes: DEFAULT_LIMITS.max_reject_bytes_per_batch };

export class RejectBatch {
  readonly items: RejectedRecord[] = [];
  /** The batch's size as stored (JSON lines): what it costs to encode and insert. */
  bytes = 0;
  constructor(readonly caps: RejectCaps = DEFAULT_REJECT_CAPS) {}
  add(source: string, position: string | number, reason: RejectReason, detail: string, raw: string | Uint8Array): void {
    // only the kept prefix is decoded: a multi-megabyte line costs its prefix, not a string of its size
    const n = typeof raw === 'string' ? raw.length : raw.byteLength;
    let text = typeof raw === 'string' ? raw.slice(0, RAW_LIMIT)
      : Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, RAW_LIMIT)).toString('latin1');
    if (n > RAW_LIMIT) text = `${text}…[${n - RAW_LIMIT} more chars]`;
    if (detail.length > DETAIL_LIMIT) detail = `${detail.slice(0, DETAIL_LIMIT)}…`;
    const pos = String(position);
    this.items.push({ source, position: pos, reason, detail, raw: text });
    this.bytes += 64 + jsonBytes(source) + jsonBytes(pos) + jsonBytes(detail) + jsonBytes(text);
  }
  get length(): number { return this.items.length; }
  /** The batch holds as many rejects as it may: parsers stop at the next record, the committer stores the batch. */
  get full(): boolean { return this.items.length >= this.caps.maxCount || this.bytes >= this.caps.maxBytes; }
  clear(): void { this.items.length = 0; this.bytes = 0; }
}

/** A string's size as a JSON string in UTF-8: control characters escape to six bytes (binary junk grows 6x). */
function jsonBytes(s: string): number {
  let n = s.length + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += 5;
    else if (c === 0x22 || c === 0x5c) n += 1;
    else if (c > 0x7f) n += c > 0x7ff ? 2 : 1;
  }
  return n;
}

/**
 * An object or message quarantined whole, with its reason (TOO_LARGE, DECODE):
 * what opening or decoding one throws when it is the content's fault.
 */
export class QuarantineError extends FlowlogError {
  constructor(readonly reason: RejectReason, message: string) {
    super('CONTENT_QUARANTINED', message);
    this.name = 'QuarantineError';
  }
}

/** The reason an object that could not be opened is quarantined under. */
export const quarantineReason = (e: unknown): RejectReason => (e instanceof QuarantineError ? e.reason : 'DECODE');
