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
  /**
   * The lines of `problems` about a value that is no CIDR or address at all
   * (`172.16.300.0/24`): kind `invalid` in `flowlog ipam check`, like an
   * unparseable prefix anywhere; the other lines are kind `source`. Absent when none.
   */
  invalid?: string[];
}

/** What is wrong with a skipped item: a value that is no CIDR or address (`invalid`), or anything else about the item (`item`). */
export type ItemProblemKind = 'invalid' | 'item';

/** Thrown inside an item's reader; caught by forEachItem and turned into a problem line. */
export class ItemProblem extends FlowlogError {
  constructor(message: string, readonly kind: ItemProblemKind = 'item') {
    super('IPAM_ITEM_INVALID', message);
    this.name = 'ItemProblem';
  }
}

/** `invalid` for a result, present only when there are such lines (results without any look as before). */
export const invalidLines = (invalid: readonly string[]): Pick<IpamReadResult, 'invalid'> => (invalid.length ? { invalid: [...invalid] } : {});

export function problemLine(origin: string, item: string, reason: string): string {
  return `${origin} ${item}: ${reason}`;
}

/**
 * Runs `read` for each item; an ItemProblem skips that item and is recorded
 * under its label (in `invalid` too when its kind is invalid). Any other
 * error is a bug and propagates.
 */
export function forEachItem<T>(
  items: readonly T[],
  label: (item: T, index: number) => string,
  origin: string,
  problems: string[],
  read: (item: T, index: number) => void,
  invalid?: string[],
): void {
  items.forEach((item, index) => {
    try {
      read(item, index);
    } catch (err) {
      if (!(err instanceof ItemProblem)) throw err;
      const line = problemLine(origin, label(item, index), err.message);
      problems.push(line);
      if (err.kind === 'invalid') invalid?.push(line);
    }
  });
}
