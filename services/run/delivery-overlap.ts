/**
 * Sources of one `flowlog run` that may deliver the same S3 objects, where
 * that is unsafe. Two writers of one object store it once only when both cut
 * its batches the same way (docs/internals.md, "where batches may span
 * objects"): per object (an S3 poll or SQS on a ClickHouse server), or in
 * rounds that take turns on the store (an S3 poll or SQS on the embedded
 * store). A backfill
 * or a Kafka round lets a batch span objects, so beside another path to the
 * same objects an object arriving by both at once may be stored twice. Found
 * from the configuration, at start, and logged with what to change.
 */
import type { FlowlogConfig } from '../../schemas/config.js';
import { pendingRounds } from '../commit/ledger-reads.js';
import type { FlowStore } from '../store/store.js';
import { EVENTS } from '../telemetry/event-names.js';
import { log } from '../telemetry/log.js';
import { pollStream } from '../sources/s3/s3-uri.js';

type SourceConfig = FlowlogConfig['sources'][number];

/** How a source cuts the batches of the objects it stores. */
type Cuts = 'per-object' | 'turns' | 'spanning';

interface Reach { source: string; cuts: Cuts; bucket: string; prefix: string }

export interface DeliveryOverlap { bucket: string; sources: [string, string] }

function reaches(src: SourceConfig, embedded: boolean): Reach[] {
  switch (src.kind) {
    case 's3': {
      const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(src.uri);
      // a poll takes turns with SQS rounds on the embedded store (shared-rounds.ts), and cuts per object on a server
      const cuts: Cuts = src.mode !== 'poll' ? 'spanning' : embedded ? 'turns' : 'per-object';
      return m ? [{ source: src.name, cuts, bucket: m[1]!, prefix: m[2] ?? '' }] : [];
    }
    case 'sqs':
      return src.s3.allow.map((a) => ({ source: src.name, cuts: embedded ? 'turns' : 'per-object', bucket: a.bucket, prefix: a.prefix ?? '' }));
    case 'kafka':
      return (src.s3?.allow ?? []).map((a) => ({ source: src.name, cuts: 'spanning', bucket: a.bucket, prefix: a.prefix ?? '' }));
    default:
      return [];
  }
}

/** Pairs of sources that may deliver one object and do not cut it alike, once per pair and bucket. */
export function deliveryOverlaps(sources: readonly SourceConfig[], embedded: boolean): DeliveryOverlap[] {
  const all = sources.flatMap((s) => reaches(s, embedded));
  const found = new Map<string, DeliveryOverlap>();
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!, b = all[j]!;
      if (a.source === b.source || a.bucket !== b.bucket) continue;
      if (!a.prefix.startsWith(b.prefix) && !b.prefix.startsWith(a.prefix)) continue;
      if (a.cuts === b.cuts && a.cuts !== 'spanning') continue; // the same cuts, or turns taken: stored once
      found.set(`${a.bucket}\0${a.source}\0${b.source}`, { bucket: a.bucket, sources: [a.source, b.source] });
    }
  }
  return [...found.values()];
}

/** Says, at start, which pairs of sources may store an object twice (deliveryOverlaps). */
export function warnOverlaps(sources: readonly SourceConfig[], embedded: boolean): void {
  for (const o of deliveryOverlaps(sources, embedded)) {
    log.warn(EVENTS.sourcesOverlap, { bucket: o.bucket, sources: o.sources,
      hint: 'an object both deliver at about the same time may be stored twice (one of them lets batches span objects): give the bucket one delivery path per run: backfill its history with flowlog ingest before flowlog run, or give the sources disjoint prefixes (docs/sources.md)' });
  }
}

/**
 * Sources that would number their rounds in one ledger stream (shared-rounds.ts):
 * on the embedded store, two SQS sources of one queue URL, or two polls of one
 * prefix. Each would replay the other's pending round with its own settings.
 */
export function sharedStreams(sources: readonly SourceConfig[], embedded: boolean): [string, string][] {
  if (!embedded) return [];
  const seen = new Map<string, string>(), dup: [string, string][] = [];
  for (const src of sources) {
    const stream = src.kind === 'sqs' ? `sqs:${src.queue_url.replace(/\/+$/, '')}` : src.kind === 's3' && src.mode === 'poll' ? pollStream({ ...src, uri: src.uri.replace(/\/*$/, '/') }) : null;
    if (stream === null) continue;
    const first = seen.get(stream);
    if (first !== undefined) dup.push([first, src.name]); else seen.set(stream, src.name);
  }
  return dup;
}

/**
 * Says which pending rounds no configured source will replay (`owned`: the
 * streams of this run's sources; none for `flowlog ingest`): their source was
 * removed or renamed its queue or prefix after a crash.
 */
export async function warnOrphanedRounds(store: FlowStore, owned: ReadonlyMap<string, unknown>): Promise<string[]> {
  const orphans = (await pendingRounds(store)).filter((stream) => !owned.has(stream));
  for (const stream of orphans) {
    log.warn(EVENTS.roundOrphaned, { stream,
      hint: 'a round of this queue or poll was cut short and only a source of that same queue URL or S3 prefix stores it again: until one runs, another path to its objects may store one batch of them twice; add the source back to flowlog run\'s configuration for one round' });
  }
  return orphans;
}
