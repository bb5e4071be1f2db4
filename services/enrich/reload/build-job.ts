/**
 * The reload worker: reads the IPAM sources, builds and compiles the model off
 * the ingest thread, and posts back the flat arrays (transferred, not copied)
 * with the snapshot rows and a summary. An error is posted as a message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { enricherData, transferList, type EnricherData } from '../enricher.js';
import { loadIpam, type EnrichSettings } from '../load.js';
import type { IpamProblem } from '../model.js';
import { snapshotOf } from '../snapshot.js';
import { readFile } from 'node:fs/promises';
import { parsePolicy } from '../policy/load.js';
import { entrySegments } from '../policy/segments.js';

/** The policy as read (its text, parsed again on the ingest thread) and the segment of each IPAM entry, which needs the model. */
export interface PolicyPart { file: string; text: string; entrySegment: Int32Array }

export type BuildResult =
  | { ok: true; data: EnricherData; snapshot: { version: string; loadedAt: number; body: Uint8Array }; problems: IpamProblem[]; ms: number; policy: PolicyPart | null }
  | { ok: false; error: string };

async function build(settings: EnrichSettings): Promise<void> {
  const t0 = performance.now();
  try {
    const model = await loadIpam(settings);
    let policy: PolicyPart | null = null;
    if (settings.policyFile) {
      const text = await readFile(settings.policyFile, 'utf8').catch((e: NodeJS.ErrnoException) => { throw new Error(`${settings.policyFile}: cannot be read (${e.code})`); });
      const p = parsePolicy(text, settings.policyFile);
      policy = { file: settings.policyFile, text, entrySegment: entrySegments(p.segments, model, p.segments.length) };
    }
    const data = enricherData(model);
    const snap = snapshotOf(model);
    // a Buffer may share a pooled ArrayBuffer: copy the body into one of its own before moving it
    const body = new Uint8Array(snap.body);
    const result: BuildResult = { ok: true, data, snapshot: { version: snap.version, loadedAt: snap.loadedAt, body }, problems: model.problems, ms: performance.now() - t0, policy };
    parentPort!.postMessage(result, [...transferList(data), body.buffer as ArrayBuffer, ...(policy ? [policy.entrySegment.buffer as ArrayBuffer] : [])]);
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message } satisfies BuildResult);
  }
}

await build(workerData as EnrichSettings);
