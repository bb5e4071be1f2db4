/** `flowlog generate`: synthetic flow logs on disk, with a manifest of what was written. */
import { parseArgs } from 'node:util';
import { FlowlogError } from '../../core/errors.js';
import { helpIfAsked } from '../args.js';
import { readIsoTime } from '../../investigate/time-window.js';
import { safeLines } from '../../core/safe-text.js';
import { generate, type GenerateSummary } from '../../generate/index.js';
import { writeInventory } from '../../generate/inventory-writer.js';

const USAGE = 'usage: flowlog generate --out DIR [--flows N] [--seed S] [--start ISO] [--hours H] [--junk N] [--ipam DIR]';

const usageError = (message: string) => new FlowlogError('USAGE', message, USAGE);

const OPTIONS = { out: { type: 'string' }, flows: { type: 'string' }, seed: { type: 'string' }, start: { type: 'string' }, hours: { type: 'string' }, junk: { type: 'string' }, ipam: { type: 'string' } } as const;

function yesterdayUtc(): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - 1));
}

function integer(flag: string, raw: string | undefined, dflt: number, min: number): number {
  if (raw === undefined) return dflt;
  const v = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min) throw usageError(`--${flag} must be an integer >= ${min} (got "${raw}")`);
  return v;
}

function parse(argv: string[]): { out: string; flows: number; seed: number; start: Date; hours: number; junk: number; ipam?: string } {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: OPTIONS,
    }));
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (!values.out) throw usageError('--out DIR is required');
  let start = yesterdayUtc();
  if (values.start !== undefined) {
    const t = readIsoTime(values.start);
    if (!t.ok) throw usageError(`--start must be an ISO date/time such as 2026-01-05T00:00:00Z (got "${values.start}": ${t.why})`);
    start = t.date;
  }
  const hours = values.hours === undefined ? 24 : Number(values.hours);
  if (values.hours !== undefined && (values.hours.trim() === '' || !Number.isFinite(hours) || hours <= 0 || hours > 8784)) {
    throw usageError(`--hours must be a number in (0, 8784] (got "${values.hours}")`);
  }
  return {
    out: values.out, start, hours, ...(values.ipam ? { ipam: values.ipam } : {}),
    flows: integer('flows', values.flows, 2_000_000, 0),
    seed: integer('seed', values.seed, 1, Number.MIN_SAFE_INTEGER),
    junk: integer('junk', values.junk, 0, 0),
  };
}

/** stderr progress: redrawn in place on a terminal, one line per 10% otherwise. */
function progress(): (done: number, total: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let last = -1;
  return (done, total) => {
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
    if (tty) {
      if (pct !== last) process.stderr.write(`\rgenerating ${pct}%`);
      last = pct;
    } else if (Math.floor(pct / 10) !== Math.floor(last / 10)) {
      last = pct;
      process.stderr.write(`generating ${Math.floor(pct / 10) * 10}%\n`);
    }
  };
}

function summaryLine(s: GenerateSummary, out: string, ms: number): string {
  const by = new Map<string, number>();
  for (const f of s.files) by.set(f.format, (by.get(f.format) ?? 0) + f.records);
  const parts = [...by].map(([k, v]) => `${k} ${v}`).join(', ');
  return `generated ${s.records} records (${parts}) + ${s.junk} junk in ${s.files.length} files under ${out} in ${(ms / 1000).toFixed(1)}s`;
}

export async function generateCommand(argv: string[]): Promise<number> {
  helpIfAsked(argv, OPTIONS, USAGE, { flags: {
    out: 'folder to write into', flows: 'records to generate (default 2000000)', seed: 'random seed (default 1): same seed, same files',
    start: 'first hour, ISO (default yesterday 00:00 UTC)', hours: 'hours to cover (default 24)', junk: 'malformed records to mix in (default 0)',
    ipam: 'also write the matching inventory and IPAM, with an enrich.yaml, into this folder',
  } });
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(argv);
  } catch (e) {
    if (!FlowlogError.is(e, 'USAGE')) throw e;
    process.stderr.write(`${safeLines(e.describe())}\n`);
    return 2;
  }
  const t = performance.now();
  const onProgress = progress();
  try {
    const { ipam, ...gen } = opts;
    const summary = await generate({ ...gen, onProgress });
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(`${summaryLine(summary, opts.out, performance.now() - t)}\n`);
    if (ipam) {
      const files = await writeInventory(ipam, opts.seed);
      process.stdout.write(`wrote the matching IPAM and inventory (${files.length} files) under ${ipam}: ingest with --enrich ${ipam}/enrich.yaml\n`);
    }
    return 0;
  } catch (e) {
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stderr.write(`flowlog generate: ${(e as Error).message}\n`);
    return 1;
  }
}
