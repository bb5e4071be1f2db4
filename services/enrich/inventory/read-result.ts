/**
 * What every reader returns, and how a bad item becomes a line in `problems`
 * instead of failing the whole document: one typo in a 5,000-prefix export
 * should cost that prefix, not the enrichment of every flow.
 */
import { FlowlogError } from '../../core/errors.js';
import type { InterfaceRecord, IpamRecord } from '../ipam-record.js';

export interface IpamReadResult {
  records: IpamRecord[];
  interfaces?: InterfaceRecord[];
  /** One line per skipped item: "<origin> <item>: <what is wrong>". */
  problems: string[];
}

/** Thrown inside an item's reader; caught by forEachItem and turned into a problem line. */
export class ItemProblem extends FlowlogError {
  constructor(message: string) {
    super('IPAM_ITEM_INVALID', message);
    this.name = 'ItemProblem';
  }
}

export function problemLine(origin: string, item: string, reason: string): string {
  return `${origin} ${item}: ${reason}`;
}

/**
 * Runs `read` for each item; an ItemProblem skips that item and is recorded
 * under its label. Any other error is a bug and propagates.
 */
export function forEachItem<T>(
  items: readonly T[],
  label: (item: T, index: number) => string,
  origin: string,
  problems: string[],
  read: (item: T, index: number) => void,
): void {
  items.forEach((item, index) => {
    try {
      read(item, index);
    } catch (err) {
      if (!(err instanceof ItemProblem)) throw err;
      problems.push(problemLine(origin, label(item, index), err.message));
    }
  });
}
