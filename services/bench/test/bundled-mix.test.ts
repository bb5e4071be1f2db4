/**
 * The bundled mix holds exactly the small mix's flows (every AWS line under
 * its own format's header, every Azure record), in a few large objects.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../generate/index.js';
import { listLocalObjects } from '../../sources/local.js';
import { writeBundledMix } from '../bundled-mix.js';
import type { SmallMix } from '../small-mix.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-bundled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each data line with the header it sits under, sorted. */
async function awsLines(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const o of await listLocalObjects(root)) {
    const [header, ...lines] = gunzipSync(readFileSync(o.path)).toString().split('\n').filter((l) => l.length > 0);
    for (const l of lines) out.push(`${header}|${l}`);
  }
  return out.sort();
}

async function azureRecords(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const o of await listLocalObjects(root)) {
    const category = o.path.slice(root.length + 1).split('/')[0]!;
    for (const r of (JSON.parse(readFileSync(o.path, 'utf8')) as { records: unknown[] }).records) out.push(`${category}|${JSON.stringify(r)}`);
  }
  return out.sort();
}

describe('writeBundledMix', () => {
  it('writes the same AWS lines and Azure records in a few objects, and reuses what it wrote', async () => {
    const raw = join(dir, 'raw');
    const s = await generate({ out: raw, flows: 6000, seed: 7, start: new Date('2024-11-20T10:00:00Z'), hours: 3 });
    mkdirSync(join(dir, 'aws'));
    mkdirSync(join(dir, 'azure'));
    for (const top of readdirSync(raw)) {
      if (top === 'AWSLogs') renameSync(join(raw, top), join(dir, 'aws', top));
      else if (top.startsWith('insights-logs-')) renameSync(join(raw, top), join(dir, 'azure', top));
    }
    const flows = (f: (p: string) => boolean) => s.files.filter((x) => f(x.path)).reduce((n, x) => n + x.records, 0);
    const mix = { aws: join(dir, 'aws'), azure: join(dir, 'azure'), awsFlows: flows((p) => p.startsWith('AWSLogs')), azureFlows: flows((p) => p.startsWith('insights')) } as SmallMix;
    const smallObjects = (await listLocalObjects(mix.aws)).length;

    const b = await writeBundledMix(mix);
    expect(b.awsObjects).toBeLessThanOrEqual(8 + 2); // at most one short object per format
    expect(b.awsObjects).toBeLessThan(smallObjects);
    expect(await awsLines(b.aws)).toEqual(await awsLines(mix.aws));
    expect((await awsLines(b.aws)).length).toBe(mix.awsFlows);
    expect(await azureRecords(b.azure)).toEqual(await azureRecords(mix.azure));
    expect(b.azureBlobs).toBeLessThanOrEqual(8 + 2);

    const removed = join(b.aws, readdirSync(b.aws)[0]!);
    rmSync(removed);
    expect(await writeBundledMix(mix)).toEqual(b);
    expect(existsSync(removed)).toBe(false); // cached: not written again
  });
});
