/** node:util parseArgs with our error shape: a bad flag names itself and the fix; `--help` answers from the same options. */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DURATION_HELP, parseDuration } from '../../schemas/common.js';
import { FlowlogError } from '../core/errors.js';
import { readIsoTime, TIME_RANGE_TEXT } from '../investigate/time-window.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `--help` says beyond the usage line: a sentence per flag, and flags only flowlog itself passes. */
export type HelpText = { flags?: Record<string, string>; hidden?: readonly string[] };

/**
 * Thrown when the arguments ask for help: main.ts prints `text` to stdout and exits 0. An exception
 * rather than a return value so that every command gets `--help` from the one parseCli call it makes.
 */
export class HelpRequested extends Error {
  /** `flags`: the visible flags and their help, for shell completion. */
  constructor(readonly text: string, readonly flags: { name: string; short?: string; takesValue: boolean; help: string }[] = []) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** `--help` or `-h` before a `--` terminator (after it, they are positionals such as a query text). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** The usage line(s), then one line per flag: the options object is the list, so help cannot drift from parsing. */
export function helpText(options: Options, usageLine: string, help: HelpText = {}): string {
  const usage = usageLine.replace(/^usage:\s*/, '');
  const rows = Object.entries(options)
    .filter(([name]) => !help.hidden?.includes(name))
    .map(([name, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' (repeatable)' : ''}`, help.flags?.[name] ?? '']);
  rows.push(['-h, --help', 'show this help']);
  const w = Math.max(...rows.map(([f]) => f!.length));
  return [`usage: ${usage}`, '', 'options:', ...rows.map(([f, d]) => `  ${f!.padEnd(w)}  ${d}`.trimEnd())].join('\n');
}

/** For a command that parses its own arguments: throws HelpRequested when they ask for help. */
export function helpIfAsked(argv: readonly string[], options: Options, usageLine: string, help?: HelpText): void {
  if (!wantsHelp(argv)) return;
  const flags = Object.entries(options).filter(([name]) => !help?.hidden?.includes(name))
    .map(([name, o]) => ({ name, ...(o.short ? { short: o.short } : {}), takesValue: o.type === 'string', help: help?.flags?.[name] ?? '' }));
  throw new HelpRequested(helpText(options, usageLine, help), flags);
}

export function parseCli<T extends Options>(argv: string[], options: T, usageLine: string, help?: HelpText) {
  helpIfAsked(argv, options, usageLine, help);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new FlowlogError('USAGE', (e as Error).message, `usage: ${usageLine}`);
  }
}

export function oneOf<V extends string>(flag: string, value: string | undefined, allowed: readonly V[], dflt: V): V {
  if (value === undefined) return dflt;
  if ((allowed as readonly string[]).includes(value)) return value as V;
  throw new FlowlogError('USAGE', `--${flag} "${value}" is not one of ${allowed.join(', ')}`, `pass --${flag} ${allowed.join('|')}`);
}

/** A duration flag (24h, 90m, 7d) in milliseconds; a USAGE error naming the flag for anything else, a century included. */
export function durationFlag(flag: string, raw: string): number {
  const ms = parseDuration(raw.trim());
  if (ms === null || ms <= 0) throw new FlowlogError('USAGE', `--${flag} "${raw}" is not a duration`, `write ${DURATION_HELP}, e.g. --${flag} 24h`);
  return ms;
}

/** An ISO 8601 time flag (UTC without a zone), within the times the store holds. */
export function timeFlag(flag: string, raw: string): Date {
  const t = readIsoTime(raw);
  if (!t.ok) throw new FlowlogError('USAGE', `--${flag} "${raw}" is ${t.why}`, `write ISO 8601, e.g. --${flag} 2026-11-01 or --${flag} 2026-11-01T06:00:00Z (${TIME_RANGE_TEXT})`);
  return t.date;
}

/** A whole-number flag within [min, max]; `dflt` when not given. */
export function intFlag(flag: string, raw: string | undefined, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return dflt;
  const v = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new FlowlogError('USAGE', `--${flag} "${raw}" is not a whole number from ${min} to ${max}`, `e.g. --${flag} ${dflt}`);
  }
  return v;
}

/** Why a file a flag names cannot be read, or null when it can. */
function fileProblem(path: string): string | null {
  try {
    if (statSync(path).isDirectory()) return 'is a folder';
    accessSync(path, constants.R_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code ?? (e as Error).message})`;
  }
}

/** A USAGE error naming the flag (e.g. "--policy", "FLOWLOG_POLICY") when the file it names cannot be read; before anything is opened. */
export function requireFile(flag: string, path: string): void {
  const why = fileProblem(path);
  if (why) throw new FlowlogError('USAGE', `${flag} ${path} ${why}`, `pass the path of a readable file with ${flag}`);
}

/** The text of a file a flag names; a USAGE error naming the flag when it cannot be read (missing, a folder, no permission). */
export function readFlagFile(flag: string, path: string): string {
  requireFile(`--${flag}`, path);
  return readFileSync(path, 'utf8');
}

/** requireFile for a setting given by a flag or, without it, by an environment variable: the message names the one used. */
export function requireSettingFile(path: string | undefined, flag: string, flagValue: string | undefined, env: string): void {
  if (path) requireFile(flagValue !== undefined ? `--${flag}` : env, path);
}

/** `--format text|json` of the commands that print a summary: json is one object on stdout, everything for people goes to stderr or nowhere. */
export const FORMAT_OPTION = { format: { type: 'string' } } as const;
export const FORMAT_HELP = 'text (default) or json: one JSON object with the summary on stdout';
export function outputFormat(value: string | undefined): 'text' | 'json' {
  return oneOf('format', value, ['text', 'json'] as const, 'text');
}

/** What `--quiet` leaves: nothing but errors. */
export const SILENT_PROGRESS = { update(): void {}, done(): void {} };
