/** node:util parseArgs with our error shape: a bad flag names itself and the fix; `--help` answers from the same options. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FlowlogError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `--help` says beyond the usage line: a sentence per flag, and flags only flowlog itself passes. */
export type HelpText = { flags?: Record<string, string>; hidden?: readonly string[] };

/**
 * Thrown when the arguments ask for help: main.ts prints `text` to stdout and exits 0. An exception
 * rather than a return value so that every command gets `--help` from the one parseCli call it makes.
 */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
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
  if (wantsHelp(argv)) throw new HelpRequested(helpText(options, usageLine, help));
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
