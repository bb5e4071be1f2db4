/**
 * Deterministic synthetic flow logs in the real AWS and Azure delivery
 * layouts, plus a manifest of what was written so ingest can be checked.
 */
import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isContainedFile, unsafePath, writeNoFollow } from '../core/contained-files.js';
import { buildAwsFile, type BuiltFile } from './aws-writer.js';
import { buildAzureFile } from './azure-writer.js';
import { OutputQueue } from './output.js';
import { planAws, planAzure, STREAM } from './plan.js';
import { rngFor } from './prng.js';
import { buildTopology } from './topology.js';

export { V2_HEADER, V5_HEADER, V5_FIELDS, V5_LOG_FORMAT } from './aws-writer.js';
export { JUNK_KINDS } from './junk.js';

export type GeneratedFormat = 'aws-v2' | 'aws-v5' | 'azure-nsg' | 'azure-vnet';

export interface GenerateOptions {
  out: string;
  flows: number;
  seed: number;
  start: Date;
  hours?: number;
  junk?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedFile { path: string; format: GeneratedFormat; records: number; nodata: number; junk: number }

export interface GenerateSummary {
  /** Paths are relative to `out`, with `/` separators. */
  files: GeneratedFile[];
  records: number;
  junk: number;
}

export const MANIFEST = 'manifest.json';

/** Shares of the total per output, in the order the remainder is settled. */
export const SHARES = { 'aws-v2': 0.45, 'aws-v5': 0.25, 'azure-nsg': 0.2 } as const;

function check(opts: GenerateOptions): void {
  const bad = (what: string): never => { throw new RangeError(`generate: ${what}`); };
  if (!Number.isSafeInteger(opts.flows) || opts.flows < 0) bad(`flows must be a non-negative integer, got ${opts.flows}`);
  if (!Number.isSafeInteger(opts.seed)) bad(`seed must be an integer, got ${opts.seed}`);
  if (!(opts.start instanceof Date) || Number.isNaN(opts.start.getTime())) bad('start must be a valid Date');
  const hours = opts.hours ?? 24;
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) bad(`hours must be in (0, 8784], got ${hours}`);
  const junk = opts.junk ?? 0;
  if (!Number.isSafeInteger(junk) || junk < 0) bad(`junk must be a non-negative integer, got ${junk}`);
}

/** The paths generate writes (AWS and Azure delivery layouts): the only ones a clean-up may remove. */
const GENERATED_PATH = /^(AWSLogs\/[0-9A-Za-z_./-]+\.log\.gz|insights-logs-[a-z]+\/[^\0]+\/PT1H\.json)$/;

/**
 * Removes what a previous run listed in its manifest, so stale files never
 * skew ingest counts. The manifest is not trusted (anyone who can write the
 * folder can write it): a listed path is removed only when it has generate's
 * layout and is a regular file reached through real folders under `out`.
 */
async function removePrevious(out: string): Promise<void> {
  const manifest = join(out, MANIFEST);
  const st = await lstat(manifest).catch(() => null);
  if (!st) return;
  if (st.isSymbolicLink()) throw unsafePath(manifest, 'is a symbolic link');
  if (!st.isFile()) throw unsafePath(manifest, 'is not a regular file');
  let prev: GenerateSummary;
  try {
    prev = JSON.parse(await readFile(manifest, 'utf8')) as GenerateSummary;
  } catch {
    return;
  }
  if (!Array.isArray(prev.files)) return;
  for (const f of prev.files as unknown[]) {
    const path = (f as { path?: unknown } | null)?.path;
    if (typeof path === 'string' && GENERATED_PATH.test(path) && await isContainedFile(out, path)) await rm(join(out, path), { force: true });
  }
}

export async function generate(opts: GenerateOptions): Promise<GenerateSummary> {
  check(opts);
  const { out, flows, seed } = opts;
  const t0 = Math.floor(opts.start.getTime() / 1000);
  const span = { t0, t1: t0 + Math.max(60, Math.round((opts.hours ?? 24) * 3600)) };
  const v2 = Math.round(flows * SHARES['aws-v2']), v5 = Math.round(flows * SHARES['aws-v5']);
  const nsg = Math.round(flows * SHARES['azure-nsg']), vnet = flows - v2 - v5 - nsg;

  const topo = buildTopology(rngFor(seed, STREAM.topology));
  const aws = planAws(topo, seed, span, { 'aws-v2': v2, 'aws-v5': v5 }, opts.junk ?? 0);
  const azure = planAzure(topo, seed, span, { nsg, vnet });

  await mkdir(out, { recursive: true });
  await removePrevious(out);
  const queue = new OutputQueue(out);
  const files: GeneratedFile[] = [];
  let done = 0;
  const add = async (f: BuiltFile, format: GeneratedFormat, compress: boolean): Promise<void> => {
    files.push({ path: f.path, format, records: f.records, nodata: f.nodata, junk: f.junk });
    done += f.records;
    await queue.write(f.path, f.body, compress);
    opts.onProgress?.(done, flows);
  };
  for (const u of aws) await add(buildAwsFile(u, topo.internet), u.vpc.format, true);
  for (const u of azure) await add(buildAzureFile(u, topo.internet), u.vnet.mode === 'nsg' ? 'azure-nsg' : 'azure-vnet', false);
  await queue.drain();

  const summary: GenerateSummary = {
    files,
    records: files.reduce((s, f) => s + f.records, 0),
    junk: files.reduce((s, f) => s + f.junk, 0),
  };
  // One file per line: readable, diffable, still plain JSON.
  const listed = files.map((f) => JSON.stringify(f)).join(',\n');
  await writeNoFollow(join(out, MANIFEST), `{"records":${summary.records},"junk":${summary.junk},"files":[\n${listed}\n]}\n`);
  return summary;
}
