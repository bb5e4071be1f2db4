/**
 * The columns every Azure row takes from its record and tuple group rather
 * than its tuple, and how a group's interned values land in a row: shared by
 * the JSON.parse path and the byte path so both write rows the same way.
 */
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';

const C_VERSION = COLUMN_INDEX.version;

/** In this order: the slots of a group's codes array. */
export const GROUP_COLUMNS = [
  COLUMN_INDEX.provider, COLUMN_INDEX.log_type, C_VERSION, COLUMN_INDEX.source, COLUMN_INDEX.account_id,
  COLUMN_INDEX.resource_id, COLUMN_INDEX.mac, COLUMN_INDEX.rule, COLUMN_INDEX.log_status,
] as const;

export const enum Slot { Provider, LogType, Version, Source, Account, Resource, Mac, Rule, Status }

/** Writes a group's codes (dictionary codes; the version slot holds the number itself; -1 = null) into `row`. */
export function writeGroup(batch: FlowBatch, row: number, codes: Int32Array): void {
  const nulls = batch.nulls;
  for (let k = 0; k < GROUP_COLUMNS.length; k++) {
    const c = GROUP_COLUMNS[k]!, code = codes[k]!;
    if (code < 0) { nulls[c]![row] = 1; continue; }
    if (c === C_VERSION) batch.num[c]![row] = code;
    else batch.codes[c]![row] = code;
    nulls[c]![row] = 0;
  }
}
