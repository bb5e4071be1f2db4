/**
 * Typed errors with stable codes: scripts and tests match on `code`, people
 * read `message` and `hint` (what to do about it). Every code is listed here
 * with its meaning, once: the operations doc's table is checked against it.
 */
export const ERROR_CODES = {
  LOG_FORMAT_INVALID: 'a flow log format string cannot be compiled (unknown or repeated field)',
  CONFIG_INVALID: 'the configuration (file, flag or environment variable) is wrong; the message names the field',
  USAGE: 'the command line is wrong (unknown flag, missing argument)',
  SOURCE_NOT_FOUND: 'a file, folder, bucket or object to read does not exist',
  SOURCE_ACCESS_DENIED: 'a source refused flowlog\'s credentials (wrong key or secret, or a missing permission)',
  SOURCE_UNAVAILABLE: 'a source\'s server or network failed past the retries: nothing is marked done, a re-run resumes',
  STORE_QUERY_FAILED: 'the store refused or failed a query',
  STORE_INSERT_FAILED: 'the store refused or failed an insert',
  STORE_LOCKED: 'another process holds the embedded store\'s data directory',
  MIGRATION_FAILED: 'a schema migration statement failed',
  SCHEMA_DRIFT: 'the store\'s schema is not the one this flowlog expects (an applied migration was edited, or a newer flowlog migrated the store)',
  SCHEMA_BEHIND: 'the store lacks migrations this flowlog needs: a read command does not migrate, run `flowlog migrate`',
  CONTENT_QUARANTINED: 'an object or message is bad content (too large, undecodable): it is quarantined with a reject reason and the run goes on',
  IPAM_INVALID: 'an IPAM or inventory source cannot be read as a whole (the version in use stays)',
  IPAM_ITEM_INVALID: 'one item of an IPAM source is wrong: that item is skipped and listed as a problem',
  CSV_INVALID: 'a CSV file breaks RFC 4180 quoting',
  LEASE_UNAVAILABLE: 'the store could not say who holds a lease (a scheduled run, an S3 poll): this instance does not take it, and tries again next tick or round',
  DELIVERY_FAILED: 'a report could not be delivered to one or more of its targets',
  WEBHOOK_FAILED: 'a chat webhook refused the message or failed past the retries',
  METRIC_UNKNOWN: 'code used a metric name that was never defined (a bug)',
  METRIC_LABELS_INVALID: 'code used a metric with labels other than the ones it declares (a bug)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The process exit status for an error: 2 for a wrong command line, 1 for everything else. */
export function exitCodeFor(code: ErrorCode): number {
  return code === 'USAGE' ? 2 : 1;
}

export class FlowlogError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FlowlogError';
  }

  static is(e: unknown, code: ErrorCode): e is FlowlogError {
    return e instanceof FlowlogError && e.code === code;
  }

  /** One line for a terminal: what happened and what to do. */
  describe(): string {
    return `error ${this.code}: ${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** The HTTP status an AWS SDK error (or the lean S3 GET's, shaped alike) carries, if any. */
export const httpStatusOf = (e: unknown): number | undefined => (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
