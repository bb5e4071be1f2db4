/**
 * Turns nested prefixes into sorted disjoint ranges, each owned by its most
 * specific cover, in one sweep. Prefixes never partially overlap (two are
 * either nested or disjoint), so a stack of the open ones is enough: its top
 * owns the addresses between events. The same stack gives each prefix its
 * immediate parent for free.
 *
 * Generic over number (the 32-bit IPv4-mapped side) and bigint (the 128-bit
 * side). Sorting is the caller's, where it can be done without a polymorphic
 * comparator.
 */

/** Prefixes as parallel arrays, already in sweep order: start ascending, then wider first, then listing order. */
export interface SortedPrefixes<T extends number | bigint> {
  start: ArrayLike<T>;
  /** One past the last address. */
  endEx: ArrayLike<T>;
  /** Index in the caller's list. */
  entry: ArrayLike<number>;
}

export interface Flat<T extends number | bigint> {
  /** Ascending; starts[0] is the bottom of the space. */
  starts: T[];
  /** Entry owning [starts[k], starts[k+1]), or `base` where no prefix does. */
  owners: number[];
}

/**
 * `base` owns whatever no prefix covers (an enclosing prefix from the other
 * side, or -1); `limit` is one past the top of the space. Writes
 * parents[entry]; the later of two identical prefixes gets the earlier as
 * parent, since it is pushed on top of it.
 */
export function sweep<T extends number | bigint>(p: SortedPrefixes<T>, bottom: T, limit: T, base: number, parents: Int32Array): Flat<T> {
  const starts: T[] = [bottom];
  const owners: number[] = [base];
  const stack: number[] = []; // positions in p
  const owner = () => (stack.length > 0 ? p.entry[stack[stack.length - 1]!]! : base);
  const emit = (at: T, who: number) => {
    // several events at one address (nested prefixes sharing a start or an end): the last one decides.
    // Adjacent ranges never get the same owner: a push brings a new one, a pop the parent of the old.
    const last = starts.length - 1;
    if (starts[last] === at) owners[last] = who;
    else { starts.push(at); owners.push(who); }
  };
  for (let k = 0; k < p.entry.length; k++) {
    const start = p.start[k]!;
    while (stack.length > 0 && p.endEx[stack[stack.length - 1]!]! <= start) emit(p.endEx[stack.pop()!]!, owner());
    parents[p.entry[k]!] = owner();
    stack.push(k);
    emit(start, p.entry[k]!);
  }
  while (stack.length > 0) {
    const end = p.endEx[stack.pop()!]!;
    if (end < limit) emit(end, owner());
  }
  return { starts, owners };
}

/** Owner of the range holding `at` (binary search; compile-time use only). */
export function ownerAt<T extends number | bigint>(flat: Flat<T>, at: T): number {
  let lo = 0, hi = flat.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (flat.starts[mid]! <= at) lo = mid; else hi = mid - 1;
  }
  return flat.owners[lo]!;
}
