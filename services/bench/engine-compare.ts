/**
 * flowlog's ingest against the engine's own load of the same objects, each
 * a whole process on a freshly migrated store: `flowlog ingest PATH` as a
 * user runs it, and engine-child.ts (chdb alone, one INSERT ... SELECT FROM
 * file() per format). Wall time from spawn to exit, peak RSS from /proc.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureProcess, type Measured } from './process-meter.js';
import { progressPoints } from './stats.js';
import type { EngineDataset } from './engine-sql.js';
import type { IngestFigure, Pair } from './scoreboard.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO, 'bin', 'flowlog.js');
const ENGINE_CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));

/** The environment of a flowlog child: this one's, with the embedded store in `dataDir` (never a server CLICKHOUSE_URL names). */
export function storeEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FLOWLOG_DATA_DIR: dataDir };
  delete env.CLICKHOUSE_URL;
  return env;
}

/** `flowlog migrate` into a fresh folder (not timed). */
export async function freshStore(dataDir: string): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true });
  await measureProcess(process.execPath, [BIN, 'migrate', '--format', 'json'], { env: storeEnv(dataDir) });
}

/** `fn` on a freshly migrated store in `dataDir`, the folder removed afterwards whatever `fn` did. */
async function withFreshStore<T>(dataDir: string, fn: (dataDir: string) => Promise<T>): Promise<T> {
  await freshStore(dataDir);
  try {
    return await fn(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `flowlog ingest PATH` into `dataDir`; the rows it stored. JSON output by default (nothing but the summary);
 * `text`: the human output, whose progress lines on a pipe carry stored flows and seconds.
 */
export async function flowlogIngest(path: string, dataDir: string, opts: { sampleMs?: number; text?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Measured & { rows: number }> {
  const args = [BIN, 'ingest', path, ...(opts.text ? [] : ['--format', 'json'])];
  const m = await measureProcess(process.execPath, args, { env: { ...storeEnv(dataDir), ...opts.env }, ...(opts.sampleMs ? { sampleMs: opts.sampleMs } : {}) });
  if (opts.text) { const pts = progressPoints(m.stderr); return { ...m, rows: pts[pts.length - 1]!.rows }; }
  const out = JSON.parse(m.stdout.trim().split('\n').pop()!) as { ingested: number };
  return { ...m, rows: out.ingested };
}

export async function engineLoad(dataset: EngineDataset, path: string, dataDir: string): Promise<Measured & { rows: number }> {
  const m = await measureProcess(process.execPath, ['--import', 'tsx', ENGINE_CHILD, dataset, dataDir, path], { cwd: REPO });
  return { ...m, rows: (JSON.parse(m.stdout.trim().split('\n').pop()!) as { rows: number }).rows };
}

const figure = (m: Measured & { rows: number }): IngestFigure => ({ flows: m.rows, seconds: m.seconds, peakRssMb: m.peakRssMb });

/**
 * Every file under `path` read once (not timed), so that neither side of a pair
 * pays a cold page cache: the engine goes first and would pay it alone. Read
 * cold, the 10,044 small AWS objects cost flowlog 2.2 s of reads, warm none.
 */
export function warmPageCache(path: string): void {
  if (!statSync(path).isDirectory()) { readFileSync(path); return; }
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (e.isDirectory()) warmPageCache(join(path, e.name));
    else if (e.isFile()) readFileSync(join(path, e.name));
  }
}

/** Engine first, then flowlog, each into its own fresh store, the files in the page cache; both must store `expect` rows. */
export async function comparePair(dataset: EngineDataset, path: string, scratch: string, expect: number, objects: number): Promise<Pair> {
  const engineDir = join(scratch, `${dataset}-${objects}-engine`), flowlogDir = join(scratch, `${dataset}-${objects}-flowlog`);
  warmPageCache(path);
  return withFreshStore(engineDir, () => withFreshStore(flowlogDir, async () => {
    const engine = await engineLoad(dataset, path, engineDir);
    const flowlog = await flowlogIngest(path, flowlogDir);
    if (engine.rows !== expect) throw new Error(`engine reference (${dataset}, ${objects} objects) stored ${engine.rows} rows of ${expect}`);
    if (flowlog.rows !== expect) throw new Error(`flowlog ingest (${dataset}, ${objects} objects) stored ${flowlog.rows} rows of ${expect}`);
    return { engine: figure(engine), flowlog: figure(flowlog), objects };
  }));
}

/**
 * The memory budget's setting: profile minimal, and glibc told to hand large
 * freed blocks back at once (read when the process starts, so set in its
 * environment, as the container image and the systemd unit do).
 */
export const MINIMAL_MEMORY_ENV: NodeJS.ProcessEnv = { FLOWLOG_MEMORY_PROFILE: 'minimal', MALLOC_MMAP_THRESHOLD_: '131072' };

/** flowlog ingest alone under MINIMAL_MEMORY_ENV, into a fresh store: its rate and peak RSS. */
export async function minimalIngest(path: string, scratch: string, expect: number): Promise<IngestFigure> {
  return withFreshStore(join(scratch, 'minimal-flowlog'), async (dir) => {
    const m = await flowlogIngest(path, dir, { env: MINIMAL_MEMORY_ENV });
    if (m.rows !== expect) throw new Error(`flowlog ingest (memory profile minimal) stored ${m.rows} rows of ${expect}`);
    return figure(m);
  });
}
