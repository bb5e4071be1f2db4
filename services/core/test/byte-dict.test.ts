import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteDict } from '../byte-dict.js';

describe('ByteDict', () => {
  it('gives one code per distinct value, stable across growth, like a Map', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 3000 }), (values) => {
      const dict = new ByteDict(4);
      const ref = new Map<string, number>();
      for (const v of values) {
        const b = Buffer.from(`<${v}>`, 'utf8');
        const code = dict.intern(b, 1, b.length - 1);
        if (!ref.has(v)) ref.set(v, ref.size);
        expect(code).toBe(ref.get(v));
        expect(dict.get(code)).toBe(v);
      }
      expect(dict.size).toBe(ref.size);
      dict.clear();
      expect(dict.size).toBe(0);
    }), { numRuns: 100 });
  });
});
