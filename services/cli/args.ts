/** node:util parseArgs with our error shape: a bad flag names itself and the fix. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FlowlogError } from '../core/errors.js';

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usageLine: string) {
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
