/**
 * The batches an earlier run left pending (their intents written, no stored
 * mark; commit/committer.ts, writeAhead), as what a restart reads to store them
 * again. A batch's token is the hash of its segments, so it must be rebuilt
 * from the same rows of the same objects, whatever the listing holds by now
 * (objects that arrived since and sort among them, a listing in another
 * order): each object once, in the order of the batches, from the row the
 * first of them starts at. A batch that ended with an object (the run's end, or
 * a replay's) is flushed there again; one that ended inside an object ended
 * where its rows or rejects filled it, as they fill it again (the same
 * batch.rows and limits are needed, as for instances sharing a source). The
 * objects are named back by the source (ref), not found in the listing.
 */
import type { Cut, IntentSegment } from '../commit/write-ahead.js';
import type { ObjectSource, SourceObjectRef } from '../sources/source.js';
import { growsByAppend } from '../sources/append-only.js';
import type { ObjectProgress } from '../store/store.js';

/** One object of the replay: from which row, whether the ledger has it in part, and the last segments of the batches that end in it. */
export interface ReplayStep { name: string; identity: string; skipRows: number; cuts: Cut[] }
export interface ReplayItem<O> { obj: O; skipRows: number; resume: boolean; cuts: Cut[] }

/**
 * Each object of the pending batches once, in order; null when they cannot be
 * read again as they were: an object a source failure cut short inside a batch
 * (its rows end where it failed, a row a replay cannot find again).
 */
export function replaySteps(pending: readonly { segments: readonly IntentSegment[] }[]): ReplayStep[] | null {
  const steps: (ReplayStep & { end: number; complete: boolean })[] = [];
  for (const b of pending) {
    for (const [name, identity, first, last, complete] of b.segments) {
      if (complete === 2) return null;
      const prev = steps.at(-1);
      if (prev && !prev.complete && prev.name !== name) return null;
      // the same object carried on from the batch before (a batch that ended inside it)
      if (prev && prev.name === name && prev.identity === identity && prev.end === first) Object.assign(prev, { end: last, complete: complete === 1 });
      else steps.push({ name, identity, skipRows: first, cuts: [], end: last, complete: complete === 1 });
    }
    const [, , first, last] = b.segments.at(-1) ?? [];
    if (first !== undefined && last !== undefined) steps.at(-1)!.cuts.push({ first, last });
  }
  return steps.map(({ end: _end, complete: _complete, ...s }) => s);
}

/** Names asked of the source at once (a HEAD each, on S3). */
const REFS_AT_ONCE = 32;

/**
 * The objects of the replay, named back; null when the batches cannot be read
 * again as they were (an object gone or changed since, one cut short). `stored`:
 * where the ledger has each object now. The batches are still pending only if
 * each object stands where its first pending row starts; rows stored since
 * through another listing (a run of another folder holding the same files) are
 * not stored again, and the plan is empty.
 */
export async function replayPlan<O extends SourceObjectRef>(source: ObjectSource<O>, pending: readonly { segments: readonly IntentSegment[] }[],
  stored: (names: string[]) => Promise<ReadonlyMap<string, ObjectProgress>>): Promise<ReplayItem<O>[] | null> {
  const steps = replaySteps(pending);
  if (!steps || !source.ref) return null;
  const ledger = await stored(steps.map((s) => s.name));
  // where a run would resume each object now (ingest.ts, plan): a blob that grows by appending resumes after its stored rows
  const at = (s: ReplayStep) => {
    const p = ledger.get(s.name);
    if (!p) return 0;
    if (p.identity !== s.identity) return growsByAppend(s.name) ? p.storedRows : 0;
    return p.complete ? Infinity : p.storedRows;
  };
  if (steps.some((s) => at(s) !== s.skipRows)) return [];
  const objs: (O | null)[] = [];
  for (let i = 0; i < steps.length; i += REFS_AT_ONCE) {
    objs.push(...await Promise.all(steps.slice(i, i + REFS_AT_ONCE).map((s) => source.ref!(s.name, s.identity))));
  }
  if (objs.some((o) => o === null)) return null;
  // resumed as a run resumes it: its stored rejects stepped over only when the ledger has this version, or rows of it
  return steps.map((s, i) => ({ obj: objs[i]!, skipRows: s.skipRows, resume: s.skipRows > 0 || ledger.get(s.name)?.identity === s.identity, cuts: s.cuts }));
}
