/**
 * Typed errors with stable codes: scripts and tests match on `code`, people
 * read `message` and `hint` (what to do about it).
 */
export type ErrorCode =
  | 'LOG_FORMAT_INVALID'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SOURCE_NOT_FOUND'
  /** A source's server or network failed past our retries: nothing is marked done, a re-run resumes. */
  | 'SOURCE_UNAVAILABLE'
  | 'STORE_QUERY_FAILED'
  | 'STORE_INSERT_FAILED'
  | 'STORE_LOCKED'
  | 'MIGRATION_FAILED'
  | 'SCHEMA_DRIFT';

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
