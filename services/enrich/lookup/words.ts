/**
 * 32-bit word helpers: addresses are handled as big-endian unsigned words so
 * the hot path compares small integers, never strings, BigInts or objects.
 */

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Big-endian unsigned word at b[o..o+4). */
export function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Byte swap: a native little-endian word read off the column into the big-endian value. */
export function swap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** Mask keeping the top `bits` bits of a word (clamped to 0..32). */
export function maskOf(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}
