/**
 * What every flow source hands the pipeline. Sources list and fetch; they never
 * write the ledger, make dedup tokens or quarantine (services/commit does).
 */
import type { ObjectBody } from '../decode/stream.js';
import type { LedgerEntry } from '../store/store.js';

/** An object a source can list and fetch: `name` is its ledger key, `identity` changes when its content does. */
export interface SourceObjectRef { name: string; identity: string; size: number }

export interface ObjectSource<O extends SourceObjectRef> {
  kind: LedgerEntry['sourceKind'];
  list(): Promise<O[]>;
  /** The object's bytes, whole or as a stream (S3 bodies are parsed while they download). */
  fetch(obj: O): Promise<ObjectBody>;
  /** Objects fetched at once (network sources want several in flight). */
  readAhead?: number;
}

