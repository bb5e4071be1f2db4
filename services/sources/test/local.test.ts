/**
 * The local source lists a folder's files in path order with their sizes (the
 * stat on the spot) and reads a file of the size it was listed with, whole (a
 * large one as a stream); a file that grew since it was listed is read as it is now.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listLocalObjects, listLocalPages, readLocalObject } from '../local.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

async function whole(body: Buffer | AsyncIterable<Buffer>): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(p);
  return Buffer.concat(parts);
}

describe('local source', () => {
  it('reads small, mid-size and large files whole, in path order', async () => {
    const sizes = { 'a-small.log': 5_000, 'b-mid.log': 300_000, 'c-large.log': (4 << 20) + 10 };
    Object.entries(sizes).forEach(([n, size], i) => writeFileSync(join(dir, n), bytes(size, i)));
    const objs = await listLocalObjects(dir);
    expect(objs.map((o) => o.size)).toEqual(Object.values(sizes));
    for (const [i, o] of objs.entries()) {
      const body = await readLocalObject(o);
      expect(Buffer.isBuffer(body)).toBe(o.size <= 4 << 20);
      expect((await whole(body)).equals(bytes(o.size, i))).toBe(true);
    }
  });

  it('a file that grew or shrank since it was listed is read as it is now; a missing one fails', async () => {
    const gone = join(dir, 'gone.log');
    const [small, mid] = [join(dir, 'changed-small.log'), join(dir, 'changed-mid.log')];
    writeFileSync(small, bytes(1000, 1));
    writeFileSync(mid, bytes(200_000, 2));
    const objs = await listLocalObjects(dir);
    const listed = [small, mid].map((p) => objs.find((o) => o.path === p)!);
    writeFileSync(small, bytes(3000, 3));
    writeFileSync(mid, bytes(100_000, 4));
    const [s, m] = await Promise.all(listed.map(async (o) => whole(await readLocalObject(o))));
    expect(s!.equals(bytes(3000, 3))).toBe(true);
    expect(m!.equals(bytes(100_000, 4))).toBe(true);
    await expect(readLocalObject({ name: gone, path: gone, size: 10, identity: '10:0' })).rejects.toThrow(/ENOENT/);
  });

  it('pages hold up to pageFiles files across folders, in path order (a blob layout: a folder per file)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flowlog-pages-'));
    try {
      const names: string[] = [];
      for (let i = 0; i < 2500; i++) {
        const d = join(root, `h=${String(i % 24).padStart(2, '0')}`, `m=${String(i).padStart(5, '0')}`);
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'PT1H.json'), '{}');
        names.push(join(d, 'PT1H.json'));
      }
      const pages: string[][] = [];
      for await (const page of listLocalPages(root, 1000)) pages.push(page.map((o) => o.name));
      expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
      expect(pages.flat()).toEqual([...names].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

