/**
 * The small-object mix's flows again, in a few large objects: the AWS objects
 * of each format (one header, then every object's lines, in listing order) and
 * the Azure blobs of each category (their records in one array) written as
 * ~8 objects a side. The rows, formats and days are the mix's own, so the
 * mix's rate against this one is the price of small objects alone (opens,
 * reads, parser setup, a ledger row per object), apart from what the rows
 * cost to write (v5's wider rows, Azure's, several days in one batch), which
 * both pay. Cached beside the mix.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { listLocalObjects } from '../sources/local.js';
import type { SmallMix } from './small-mix.js';

export interface BundledMix { aws: string; azure: string; awsObjects: number; azureBlobs: number }

/** Objects a side: about what the large set has (8), so both sides compare like for like. */
const OBJECTS_PER_SIDE = 8;

export async function writeBundledMix(mix: SmallMix): Promise<BundledMix> {
  const root = join(dirname(mix.aws), 'bundled');
  const ready = join(root, 'ready.json');
  if (existsSync(ready)) return { ...(JSON.parse(readFileSync(ready, 'utf8')) as BundledMix), aws: join(root, 'aws'), azure: join(root, 'azure') };
  rmSync(root, { recursive: true, force: true });
  const aws = await bundleAws(mix.aws, join(root, 'aws'), Math.ceil(mix.awsFlows / OBJECTS_PER_SIDE));
  const azure = await bundleAzure(mix.azure, join(root, 'azure'), Math.ceil(mix.azureFlows / OBJECTS_PER_SIDE));
  const out: BundledMix = { aws: join(root, 'aws'), azure: join(root, 'azure'), awsObjects: aws, azureBlobs: azure };
  writeFileSync(ready, JSON.stringify(out));
  return out;
}

/** Every object's lines under its format's header, `perObject` lines to a gzip object; the number written. */
async function bundleAws(from: string, to: string, perObject: number): Promise<number> {
  mkdirSync(to, { recursive: true });
  const groups = new Map<string, { id: number; parts: Buffer[]; lines: number; written: number }>();
  let objects = 0;
  const write = (header: string, g: { id: number; parts: Buffer[]; lines: number; written: number }) => {
    writeFileSync(join(to, `format-${g.id}-${String(g.written++).padStart(3, '0')}.log.gz`), gzipSync(Buffer.concat([Buffer.from(`${header}\n`), ...g.parts])));
    g.parts = [];
    g.lines = 0;
    objects++;
  };
  for (const o of await listLocalObjects(from)) {
    const text = gunzipSync(readFileSync(o.path));
    const eol = text.indexOf(10);
    const header = text.subarray(0, eol).toString();
    let g = groups.get(header);
    if (!g) groups.set(header, g = { id: groups.size, parts: [], lines: 0, written: 0 });
    const body = text.subarray(eol + 1);
    g.parts.push(body[body.length - 1] === 10 ? body : Buffer.concat([body, Buffer.from('\n')]));
    for (let i = 0; i < body.length; i++) if (body[i] === 10) g.lines++;
    if (g.lines >= perObject) write(header, g);
  }
  for (const [header, g] of groups) if (g.parts.length) write(header, g);
  return objects;
}

interface Blob { records: { properties?: { flows?: { flows?: { flowTuples?: unknown[] }[] }[] }; flowRecords?: { flows?: { flowGroups?: { flowTuples?: unknown[] }[] }[] } }[] }

/** The flow tuples a record holds (NSG or VNet layout). */
function tuples(rec: Blob['records'][number]): number {
  let n = 0;
  for (const f of rec.properties?.flows ?? []) for (const g of f.flows ?? []) n += g.flowTuples?.length ?? 0;
  for (const f of rec.flowRecords?.flows ?? []) for (const g of f.flowGroups ?? []) n += g.flowTuples?.length ?? 0;
  return n;
}

/** Each category's records, `perBlob` flows to a PT1H.json under the category's folder; the number written. */
async function bundleAzure(from: string, to: string, perBlob: number): Promise<number> {
  const groups = new Map<string, { records: Blob['records']; flows: number; written: number }>();
  let blobs = 0;
  const write = (category: string, g: { records: Blob['records']; flows: number; written: number }) => {
    const dir = join(to, category, `bundle-${String(g.written++).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'PT1H.json'), JSON.stringify({ records: g.records }));
    g.records = [];
    g.flows = 0;
    blobs++;
  };
  for (const o of await listLocalObjects(from)) {
    const category = relative(from, o.path).split('/')[0]!;
    let g = groups.get(category);
    if (!g) groups.set(category, g = { records: [], flows: 0, written: 0 });
    for (const rec of (JSON.parse(readFileSync(o.path, 'utf8')) as Blob).records) {
      g.records.push(rec);
      g.flows += tuples(rec);
    }
    if (g.flows >= perBlob) write(category, g);
  }
  for (const [category, g] of groups) if (g.records.length) write(category, g);
  return blobs;
}
