/**
 * `npm run bench [-- --json] [--lines N]`: our parse rate next to the
 * ClickHouse engine's own parse of the same bytes (chdb, one thread: the
 * reference), their ratio; `flowlog ingest` of large gzip objects and of a
 * small-object mix in the real AWS and Azure key layouts, each beside the
 * engine loading the same objects into the same freshly migrated table (both
 * whole processes: wall time and peak RSS); enrichment; Kafka and S3. A
 * table puts each figure beside its reference, the ratio, the target and
 * pass/miss. Everything is measured in this run, on this machine.
 * `--sustained` and `--scale` are separate, longer runs (not in CI).
 */
import { explainConfig, resolveConfig } from '../config/resolve.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session } from 'chdb';
import { loadChdb } from '../store/chdb-loader.js';
import { FlowBatch } from '../core/flow-batch.js';
import { RejectBatch } from '../core/rejects.js';
import { AwsTextParser } from '../parse/aws/text-parser.js';
import { ingestPath } from '../pipeline/ingest.js';
import { ChdbStore } from '../store/chdb-store.js';
import { benchLookups } from './lookup-bench.js';
import { benchEnricher, type EnrichMode } from './enrich-bench.js';
import { intFlag, parseCli } from '../cli/args.js';
import { fmtInt } from '../cli/progress.js';
import { writeBenchDataset, type BenchFiles } from './dataset.js';
import { comparePair, minimalIngest, MINIMAL_MEMORY_ENV } from './engine-compare.js';
import { ownPeakRssMb } from './process-meter.js';
import { s3LatencyHook } from './s3-latency-hook.js';
import { formatScale, parseScaleSteps, scaleBench } from './scale-bench.js';
import { formatTable, scoreboard, TARGETS, type Measurements, type Pair } from './scoreboard.js';
import { DEFAULT_MIX, writeSmallMix, type SmallMix } from './small-mix.js';
import { writeBundledMix } from './bundled-mix.js';
import { sustainedIngest } from './sustained.js';
import { DEFAULT_SERVER_INFLIGHT } from '../../schemas/config.js';

const REPEAT = 3;
/** The large-object set: the dataset in this many gzip objects (2M flows: 250k each). */
const LARGE_OBJECTS = 8;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function ourParse(buf: Buffer): { seconds: number; rows: number; rejected: number } {
  const batch = new FlowBatch(65536);
  const rejects = new RejectBatch();
  const t0 = performance.now();
  const parser = new AwsTextParser('bench');
  let pos = 0, rows = 0;
  while (pos < buf.length) {
    pos = parser.parse(buf, pos, buf.length, true, batch, rejects);
    rows += batch.length;
    batch.reset();
  }
  return { seconds: (performance.now() - t0) / 1000, rows, rejected: rejects.length };
}

const REFERENCE_STRUCTURE = 'version UInt8, account_id String, interface_id String, srcaddr Nullable(IPv6), dstaddr Nullable(IPv6), ' +
  'srcport Nullable(UInt16), dstport Nullable(UInt16), protocol Nullable(UInt8), packets Nullable(UInt64), bytes Nullable(UInt64), ' +
  'start UInt32, end UInt32, action Nullable(String), log_status String';

/** The engine parsing the same file into the same types, one thread, output discarded. */
async function referenceParse(session: Session, file: string): Promise<number> {
  const t0 = performance.now();
  await session.queryAsync(
    `SELECT * FROM file('${file}', 'CSV', '${REFERENCE_STRUCTURE}') FORMAT Null SETTINGS format_csv_delimiter = ' ', ` +
    "input_format_csv_allow_whitespace_or_tab_as_delimiter = 1, format_csv_null_representation = '-', " +
    'input_format_csv_empty_as_default = 0, max_threads = 1, input_format_parallel_parsing = 0');
  return (performance.now() - t0) / 1000;
}

/** Child-process half: ingest a folder into a fresh store, report rate and peak RSS. */
async function ingestChild(dir: string, dataDir: string, mode: EnrichMode): Promise<void> {
  const { enricher, buildMs } = benchEnricher(mode);
  // the enrichment's own time on the ingest thread: a steadier measure of its cost than two rates
  let enrichMs = 0;
  const timed = enricher && { apply: (b: FlowBatch) => { const t0 = performance.now(); enricher.apply(b); enrichMs += performance.now() - t0; } };
  const store = new ChdbStore(dataDir);
  await store.migrate();
  const s = await ingestPath(store, dir, { capacity: resolveConfig({ env: process.env }).batch.rows, ...(timed ? { enrich: timed } : {}) });
  await store.close();
  const peakRssMb = ownPeakRssMb();
  process.stdout.write(`${JSON.stringify({ rows: s.rows, seconds: s.seconds, insertSeconds: s.insertSeconds, peakRssMb, buildMs, enrichMs })}\n`);
}

type IngestRun = { rows: number; seconds: number; insertSeconds: number; peakRssMb: number | null; buildMs: number; enrichMs: number };

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    json: { type: 'boolean' }, lines: { type: 'string' }, 'no-sources': { type: 'boolean' }, 'ingest-child': { type: 'string' }, 'data-dir': { type: 'string' },
    enrich: { type: 'string' }, 'no-small': { type: 'boolean' }, sustained: { type: 'boolean' }, scale: { type: 'boolean' }, 'scale-flows': { type: 'string' },
  }, 'flowlog bench [--json] [--lines N] [--no-sources] [--no-small] | --sustained | --scale [--scale-flows N,N]', {
    flags: {
      json: 'print the figures as one JSON object on the last line', lines: 'dataset size (default 2000000)', 'no-sources': 'skip the Kafka, S3 and SQS measurements',
      'no-small': 'skip the small-object mix (AWS and Azure) and its engine reference',
      sustained: 'only this: the large set 10 times in one flowlog ingest; first-5M against last-5M rate, RSS over time',
      scale: 'only this (long, not in CI): ingest 10M then 100M flows into one store; rate, bytes per flow, query and detector latency per step',
      'scale-flows': 'the --scale steps, rising, comma-separated (default 10000000,100000000)',
    },
    hidden: ['ingest-child', 'data-dir', 'enrich'],
  }); // the three: bench's own measuring child
  if (values['ingest-child']) { await ingestChild(values['ingest-child'], values['data-dir']!, (values.enrich ?? 'off') as EnrichMode); return 0; }
  const lines = intFlag('lines', values.lines, 2_000_000, 1);
  const log = (s: string) => { if (!values.json) process.stdout.write(`${s}\n`); else process.stderr.write(`${s}\n`); };
  const dir = resolve(process.env.FLOWLOG_DATA_DIR ?? './.flowlog', 'bench');
  if (values.scale) return scaleMode(parseScaleSteps(values['scale-flows']), dir, log, Boolean(values.json));
  log(`Preparing the fixed dataset: ${fmtInt(lines)} default-format lines in ${dir} ...`);
  // the rows without a profile of their own run what flowlog picks here: small, or minimal under a memory limit
  const resolved = explainConfig({ env: process.env });
  log(`Rows marked default run memory.profile ${resolved.config.memory.profile} (${resolved.origins['memory.profile'] ?? 'the default'})`);
  const files = writeBenchDataset(dir, lines, LARGE_OBJECTS);
  if (values.sustained) return sustainedMode(files, log, Boolean(values.json));
  const buf = readFileSync(files.text);

  log('Parsing (ours, one core) ...');
  ourParse(buf); // warm-up: JIT and page cache, not measured
  const ours = Array.from({ length: REPEAT }, () => ourParse(buf));
  if (ours[0]!.rows !== lines || ours[0]!.rejected !== 0) throw new Error(`bench dataset parsed to ${ours[0]!.rows} rows, ${ours[0]!.rejected} rejects`);
  const oursSec = median(ours.map((o) => o.seconds));

  log('Parsing (ClickHouse engine, one thread: the reference) ...');
  const scratch = mkdtempSync(join(tmpdir(), 'flowlog-bench-'));
  // through the loader, so an in-process store opened later still gets the memory profile's allocator settings
  const session = new (loadChdb().Session)(join(scratch, 'ref'));
  await referenceParse(session, files.text); // warm-up, not measured
  const refTimes: number[] = [];
  for (let i = 0; i < REPEAT; i++) refTimes.push(await referenceParse(session, files.text));
  const refSec = median(refTimes);
  session.close();

  const bin = fileURLToPath(new URL('../../bin/flowlog.js', import.meta.url));
  const ingestRun = (mode: EnrichMode): IngestRun => {
    const out = execFileSync(process.execPath, [bin, 'bench', '--ingest-child', files.gzDir, '--data-dir', join(scratch, `store-${mode}`), '--enrich', mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop()!) as IngestRun;
    if (r.rows !== lines) throw new Error(`ingest (enrich ${mode}) stored ${r.rows} rows of ${lines}`);
    return r;
  };
  log('Ingesting gzip objects into a fresh embedded store (child process), enrichment off ...');
  const ingest = ingestRun('off');
  log('Enrichment: prefix lookups (100k prefixes, one core) ...');
  const lookups = await benchLookups((s) => log(s));
  log('Ingesting again with the built-in address classes (the default), then with a 100k-prefix IPAM ...');
  const withBuiltin = ingestRun('builtin');
  const withIpam = ingestRun('ipam');
  const rate = (r: IngestRun) => Math.round(r.rows / r.seconds);
  // share of the ingest's wall time spent enriching (on the thread that also parses)
  const enrichCost = +(withIpam.enrichMs / 1000 / withIpam.seconds).toFixed(3);

  log(`Engine reference: chdb loading the same ${files.objects} gzip objects into a freshly migrated flows table, then flowlog ingest of them (whole processes) ...`);
  const large = await comparePair('aws', files.gzDir, scratch, lines, files.objects);
  let smallAws: Pair | undefined, smallAzure: Pair | undefined, bundledAws: Pair | undefined, bundledAzure: Pair | undefined;
  let mix: SmallMix | null = null;
  if (!values['no-small']) {
    log(`Small-object mix (>= ${fmtInt(DEFAULT_MIX.minAwsObjects)} AWS v2/v5 objects of ~${DEFAULT_MIX.flowsPerAwsObject} flows, >= ${fmtInt(DEFAULT_MIX.minAzureBlobs)} Azure PT1H.json blobs, real key layouts) ...`);
    mix = await writeSmallMix(join(dir, 'small'), DEFAULT_MIX, log);
    log(`  AWS: ${fmtInt(mix.awsObjects)} objects, ${fmtInt(mix.awsFlows)} flows: engine, then flowlog ingest ...`);
    smallAws = await comparePair('aws', mix.aws, scratch, mix.awsFlows, mix.awsObjects);
    log(`  Azure: ${fmtInt(mix.azureBlobs)} blobs, ${fmtInt(mix.azureFlows)} flows: engine, then flowlog ingest ...`);
    smallAzure = await comparePair('azure', mix.azure, scratch, mix.azureFlows, mix.azureBlobs);
    const bundled = await writeBundledMix(mix);
    log(`  The same flows in a few large objects (${bundled.awsObjects} AWS, ${bundled.azureBlobs} Azure): what small objects cost apart from their rows ...`);
    bundledAws = await comparePair('aws', bundled.aws, scratch, mix.awsFlows, bundled.awsObjects);
    bundledAzure = await comparePair('azure', bundled.azure, scratch, mix.azureFlows, bundled.azureBlobs);
  }
  log('Memory budget: the same datasets with memory profile minimal (MALLOC_MMAP_THRESHOLD_=131072, as the image and the systemd unit set) ...');
  const minimal: Measurements['minimal'] = { large: await minimalIngest(files.gzDir, scratch, lines) };
  if (mix) {
    minimal.smallAws = await minimalIngest(mix.aws, scratch, mix.awsFlows);
    minimal.smallAzure = await minimalIngest(mix.azure, scratch, mix.azureFlows);
  }

  let sources: Record<string, unknown> | null = null;
  let s3Latency: Measurements['s3Latency'] = null;
  let s3LatencyMinimal: Measurements['s3Latency'] = null;
  let sqs: Measurements['sqs'];
  if (!values['no-sources']) {
    const { ensureServers } = await import('../../infra/servers.js');
    const { insertFormats, kafkaToStore, s3ToStore, serverInflight } = await import('./sources-bench.js');
    const { SQS_OBJECTS, sqsToStore } = await import('./sqs-bench.js');
    const stop = ensureServers({ s3: true, kafka: true, sqs: true });
    try {
      log('Server-store insert formats (262,144 flows each, HTTP to the chdb-backed ClickHouse endpoint) ...');
      const formats = await insertFormats(files, scratch, Math.min(lines, 262_144), log);
      log(`Server inserts in parallel (1 vs N batches in flight): the large set, ingested in this process into the chdb-backed ClickHouse endpoint, which shares this machine's cores ...`);
      const inflight = await serverInflight(files, scratch, [...new Set([1, DEFAULT_SERVER_INFLIGHT, 4])], log);
      log('S3 gzip objects -> embedded store ...');
      const s3 = await s3ToStore(files, scratch);
      log('Kafka (the large set\'s flows, 1000 lines per message, 3 partitions) -> embedded store ...');
      const kafka = await kafkaToStore(files, scratch, lines);
      log('... and again with memory profile minimal ...');
      const kafkaMinimal = await kafkaToStore(files, scratch, lines, { ...process.env, ...MINIMAL_MEMORY_ENV });
      log('S3 small objects behind 20 ms of request latency ...');
      s3Latency = await s3LatencyHook(log);
      log('... and again with memory profile minimal ...');
      s3LatencyMinimal = await s3LatencyHook(log, undefined, { ...process.env, ...MINIMAL_MEMORY_ENV });
      log('SQS notifications of small objects -> embedded store, and the same objects listed from their bucket ...');
      sqs = await sqsToStore(scratch, SQS_OBJECTS, log);
      sources = { sqs, insert_formats_flows_per_sec: formats, server_inflight_flows_per_sec: inflight, s3: s3, kafka, kafka_minimal: kafkaMinimal, s3_latency: s3Latency, s3_latency_minimal: s3LatencyMinimal };
    } finally {
      stop();
    }
  }
  rmSync(scratch, { recursive: true, force: true });

  const result = {
    dataset: { lines, bytes: files.textBytes, gzip_bytes: files.gzBytes, gzip_objects: files.objects },
    parse: {
      lines_per_sec: Math.round(lines / oursSec),
      mb_per_sec: +(files.textBytes / oursSec / 1e6).toFixed(1),
      reference_lines_per_sec: Math.round(lines / refSec),
      reference_mb_per_sec: +(files.textBytes / refSec / 1e6).toFixed(1),
      ratio: +(refSec / oursSec).toFixed(2),
    },
    ingest: {
      flows_per_sec: Math.round(ingest.rows / ingest.seconds),
      seconds: +ingest.seconds.toFixed(2),
      peak_rss_mb: ingest.peakRssMb === null ? null : Math.round(ingest.peakRssMb),
    },
    enrich: {
      prefixes: lookups.prefixes, lookups_per_sec_v4: lookups.lookups_per_sec_v4, lookups_per_sec_v6: lookups.lookups_per_sec_v6,
      naive_lookups_per_sec_v4: lookups.naive_lookups_per_sec_v4, compile_ms: lookups.compile_ms, table_bytes: lookups.bytes,
      model_build_ms: Math.round(withIpam.buildMs),
      ingest_flows_per_sec: { off: rate(ingest), builtin: rate(withBuiltin), ipam_100k: rate(withIpam) },
      enrich_rows_per_sec: Math.round(withIpam.rows / (withIpam.enrichMs / 1000)),
      cost: enrichCost,
    },
    ...(sources ? { sources } : {}),
    targets: { ...TARGETS, lookups_per_sec: 5_000_000, enrich_cost: 0.2 },
  };
  type KafkaRun = { flows_per_sec: number; peak_rss_mb: number | null };
  const { kafka: kafkaRun, kafka_minimal: kafkaMinimalRun } = (sources ?? {}) as { kafka?: KafkaRun; kafka_minimal?: KafkaRun };
  const measured: Measurements = {
    parse: { ours: result.parse.lines_per_sec, engine: result.parse.reference_lines_per_sec },
    large,
    ...(smallAws ? { smallAws } : {}),
    ...(smallAzure ? { smallAzure } : {}),
    ...(bundledAws ? { bundledAws } : {}),
    ...(bundledAzure ? { bundledAzure } : {}),
    minimal,
    // Kafka is timed from the consumer's start with the store open, so against the in-process ingest of the large set (both without enrichment)
    ...(kafkaRun ? { kafka: { flowsPerSec: kafkaRun.flows_per_sec, localLarge: rate(ingest), peakRssMb: kafkaRun.peak_rss_mb } } : {}),
    ...(sources ? { s3Latency } : {}),
    ...(sqs ? { sqs } : {}),
  };
  if (sources) minimal.s3Latency = s3LatencyMinimal;
  if (kafkaMinimalRun) minimal.kafka = { flowsPerSec: kafkaMinimalRun.flows_per_sec, peakRssMb: kafkaMinimalRun.peak_rss_mb };
  const rows = scoreboard(measured);
  const ok = (v: boolean) => (v ? 'meets target' : 'BELOW TARGET');
  log('');
  log(`parse     ours      ${fmtInt(result.parse.lines_per_sec).padStart(12)} lines/s  ${String(result.parse.mb_per_sec).padStart(7)} MB/s  (one core)`);
  log(`parse     engine    ${fmtInt(result.parse.reference_lines_per_sec).padStart(12)} lines/s  ${String(result.parse.reference_mb_per_sec).padStart(7)} MB/s  (chdb file(), max_threads=1)`);
  log(`ingest    in-process ${fmtInt(result.ingest.flows_per_sec).padStart(11)} flows/s  ${String(result.ingest.peak_rss_mb).padStart(5)} MB peak RSS  (${files.objects} objects, enrichment off, store open and migrate not counted)`);
  const e = result.enrich;
  log(`enrich    lookups   ${fmtInt(Math.min(e.lookups_per_sec_v4, e.lookups_per_sec_v6)).padStart(12)} /s (v4 ${fmtInt(e.lookups_per_sec_v4)}, v6 ${fmtInt(e.lookups_per_sec_v6)}; naive ${fmtInt(e.naive_lookups_per_sec_v4)})  ${ok(Math.min(e.lookups_per_sec_v4, e.lookups_per_sec_v6) >= 5_000_000)} (>= 5M/s, 100k prefixes)`);
  log(`enrich    ingest    off ${fmtInt(e.ingest_flows_per_sec.off)}, built-in ${fmtInt(e.ingest_flows_per_sec.builtin)}, 100k-prefix IPAM ${fmtInt(e.ingest_flows_per_sec.ipam_100k)} flows/s (one run each: +-15% noise)`);
  log(`enrich    cost      ${(e.cost * 100).toFixed(1).padStart(11)}% of ingest time (${fmtInt(e.enrich_rows_per_sec)} flows/s enriched, both sides, 17 columns)  ${ok(e.cost <= 0.2)} (<= 20%)`);
  if (sources) {
    const src = sources as { s3: { flows_per_sec: number } };
    log(`s3 gzip   -> store  ${fmtInt(src.s3.flows_per_sec).padStart(10)} flows/s  (${files.objects} large objects, MinIO on this machine)`);
  }
  log('');
  log('flowlog ingest and the engine reference: whole processes (start to exit), each on a freshly migrated store; ratio = flowlog / engine');
  log(formatTable(rows));
  const json = { ...result, engine_reference: { large, ...(smallAws ? { small_aws: smallAws } : {}), ...(smallAzure ? { small_azure: smallAzure } : {}),
    ...(bundledAws ? { bundled_aws: bundledAws } : {}), ...(bundledAzure ? { bundled_azure: bundledAzure } : {}) }, scoreboard: rows };
  if (values.json) process.stdout.write(`${JSON.stringify(json)}\n`);
  return 0;
}

async function sustainedMode(files: BenchFiles, log: (s: string) => void, json: boolean): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'flowlog-bench-'));
  try {
    const rounds = 10, total = files.lines * rounds;
    const window = Math.min(5_000_000, Math.floor(total / 4));
    log(`Sustained: ${fmtInt(total)} flows (the ${files.objects} large objects x ${rounds}) in one flowlog ingest ...`);
    const r = await sustainedIngest(files, scratch, rounds, window);
    log('');
    log(`sustained ${fmtInt(r.flows)} flows in ${r.seconds.toFixed(1)} s (whole process); first ${fmtInt(window)}: ${fmtInt(r.firstRate)} flows/s, last ${fmtInt(window)}: ${fmtInt(r.lastRate)} flows/s`);
    log(`RSS over time: ${r.rss.map((x) => `${x.t.toFixed(0)}s ${Math.round(x.rssMb)} MB`).join(', ')}`);
    log(formatTable(scoreboard({ sustained: { firstRate: r.firstRate, lastRate: r.lastRate, peakRssMb: r.peakRssMb, window } })));
    if (json) process.stdout.write(`${JSON.stringify({ sustained: r })}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 0;
}

async function scaleMode(steps: number[], dir: string, log: (s: string) => void, json: boolean): Promise<number> {
  // under the bench folder, not /tmp: at 100M flows the store is several GB
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(join(dir, 'scale-'));
  try {
    log(`Scale: ${steps.map(fmtInt).join(' then ')} flows of the generator's mix into one store ...`);
    const r = await scaleBench(steps, scratch, log);
    log('');
    log(formatScale(r));
    if (json) process.stdout.write(`${JSON.stringify({ scale: r })}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 0;
}

