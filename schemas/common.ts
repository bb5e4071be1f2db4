/** Building blocks shared by the configuration schemas. */
import { z } from 'zod';

/** A secret is never written in the file: it comes from the environment or a file. */
export const secret = z.union([
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
], { errorMap: () => ({ message: '{ env: VARIABLE } or { file: /path/to/secret } (a secret is never written in the file)' }) });

export const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration like 500ms, 30s, 5m, 1h or 1d');

/** A duration from the config in milliseconds (the schema has checked its shape). */
export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d)!;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
}
