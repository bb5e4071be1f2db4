/** Building blocks shared by the configuration schemas. */
import { z } from 'zod';

/** A secret is never written in the file: it comes from the environment or a file. */
export const secret = z.union([
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
], { errorMap: () => ({ message: '{ env: VARIABLE } or { file: /path/to/secret } (a secret is never written in the file)' }) });

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest duration anything takes: a century. Longer is a typo, and would overflow the dates it is subtracted from. */
export const MAX_DURATION_MS = 36_500 * 86_400_000;
export const DURATION_HELP = 'a duration like 500ms, 30s, 5m, 1h or 1d (at most 36500d)';

/** Milliseconds of a duration text, or null when it is not one or longer than MAX_DURATION_MS. */
export function parseDuration(d: string): number | null {
  const m = DURATION.exec(d);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms <= MAX_DURATION_MS ? ms : null;
}

// the shape alone as the pattern (the JSON Schema and the reference show it), the bound as a refinement
export const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, DURATION_HELP).refine((d) => !DURATION.test(d) || parseDuration(d) !== null, DURATION_HELP);

/** A duration from the config in milliseconds (the schema has checked it). */
export function durationMs(d: string): number {
  const ms = parseDuration(d);
  if (ms === null) throw new RangeError(`"${d}" is not ${DURATION_HELP}`);
  return ms;
}
