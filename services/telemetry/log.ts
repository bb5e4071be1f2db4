/**
 * The one structured logger: JSON lines on stderr, each with time, level,
 * event and, when known, the source it concerns. stdout stays for what a
 * command answers (tables, JSON), so a pipe never mixes the two.
 *
 * Events are stable dotted names (`source.round`, `store.retry`): alerting and
 * tests match on them, people read the fields.
 */
import { FlowlogError } from '../core/errors.js';
import { redactDeep } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines all carry these fields (e.g. { source: 'vpc-logs' }). */
  child(bindings: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

let threshold: LogLevel = parseLevel(process.env.FLOWLOG_LOG_LEVEL) ?? 'info';
let sink: (line: string) => void = (line) => { process.stderr.write(line); };

function parseLevel(v: string | undefined): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(v ?? '') ? v as LogLevel : undefined;
}

/** The level below which lines are dropped (FLOWLOG_LOG_LEVEL, or the config's `log.level`). */
export function setLogLevel(level: LogLevel): void { threshold = level; }
export function logLevel(): LogLevel { return threshold; }

/** Where lines go (tests capture them); returns the previous sink. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = next;
  return prev;
}

/** An error as a log field: its stable code and message, never a stack (stacks are for bugs, shown by the CLI). */
export function errorFields(e: unknown): LogFields {
  if (e instanceof FlowlogError) return { code: e.code, error: e.message };
  if (e instanceof Error) return { code: (e as NodeJS.ErrnoException).code ?? 'INTERNAL', error: e.message };
  return { code: 'INTERNAL', error: String(e) };
}

function write(level: Exclude<LogLevel, 'silent'>, event: string, bindings: LogFields, fields: LogFields | undefined): void {
  if (RANK[level] < RANK[threshold]) return;
  const line: LogFields = { time: new Date().toISOString(), level, event, ...(redactDeep(bindings) as LogFields) };
  // every value through the one redaction rule (telemetry/redact.ts): a URL's credentials, a known secret
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v instanceof Error) Object.assign(line, redactDeep(errorFields(v)));
      else line[k] = redactDeep(v);
    }
  }
  sink(`${JSON.stringify(line)}\n`);
}

function make(bindings: LogFields): Logger {
  return {
    debug: (event, fields) => write('debug', event, bindings, fields),
    info: (event, fields) => write('info', event, bindings, fields),
    warn: (event, fields) => write('warn', event, bindings, fields),
    error: (event, fields) => write('error', event, bindings, fields),
    child: (more) => make({ ...bindings, ...more }),
  };
}

export const log: Logger = make({});
