/**
 * Buffers for small objects' bytes, cut from shared slabs. A backfill of
 * thousands of objects of a few KB would otherwise allocate one ArrayBuffer
 * per object (each a native allocation the garbage collector must track and
 * free); here a slab serves a few hundred objects and is freed whole once the
 * last of them is parsed. Larger requests get their own buffer.
 */
const SLAB_BYTES = 1 << 20;
const OWN_ABOVE = SLAB_BYTES >> 3;

export class BufferSlab {
  private slab: Buffer = Buffer.alloc(0);
  private used = 0;

  /** `n` bytes of uninitialised memory, to be filled by the caller. */
  take(n: number): Buffer {
    if (n > OWN_ABOVE) return Buffer.allocUnsafe(n);
    if (this.used + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    // 8-byte aligned, so typed arrays over a slice stay possible
    const b = this.slab.subarray(this.used, this.used + n);
    this.used += (n + 7) & ~7;
    return b;
  }
}
