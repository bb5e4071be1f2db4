/**
 * The quarantine: every record we could not parse, with where it came from and
 * a stable reason code. Rejects are rare, so one object each is fine here.
 */
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
  DECODE: 'the object could not be decoded (corrupt gzip, unreadable)',
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

const RAW_LIMIT = 4096;

export class RejectBatch {
  readonly items: RejectedRecord[] = [];
  add(source: string, position: string | number, reason: RejectReason, detail: string, raw: string | Uint8Array): void {
    let text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
    if (text.length > RAW_LIMIT) text = `${text.slice(0, RAW_LIMIT)}…[${text.length - RAW_LIMIT} more chars]`;
    this.items.push({ source, position: String(position), reason, detail, raw: text });
  }
  get length(): number { return this.items.length; }
  clear(): void { this.items.length = 0; }
}
