/**
 * Writes files with gzip and disk I/O on the libuv thread pool while the main
 * thread builds the next file. A bounded number in flight keeps memory flat.
 */
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { containedSegments, ensureRealDir, writeNoFollow } from '../core/contained-files.js';

const gzipAsync = promisify(gzip);

export class OutputQueue {
  private readonly inflight: Promise<void>[] = [];
  private readonly dirs = new Map<string, Promise<unknown>>();

  /** `root` must exist already. */
  constructor(private readonly root: string, private readonly limit = 16) {
    this.dirs.set(resolve(root), Promise.resolve());
  }

  /**
   * Resolves once there is room for another file; the write itself continues in the background.
   * Never through a link: folders under the root must be real ones, and a file is replaced, not written into.
   */
  async write(rel: string, body: Buffer, compress: boolean): Promise<void> {
    const abs = join(resolve(this.root), ...containedSegments(this.root, rel));
    const dir = dirname(abs);
    const made = this.ensureDir(dir);
    const job = (async () => {
      const data = compress ? await gzipAsync(body, { level: 1 }) : body;
      await made;
      await writeNoFollow(abs, data);
    })();
    job.catch(() => undefined); // surfaced when awaited below, not as an unhandled rejection meanwhile
    this.inflight.push(job);
    while (this.inflight.length >= this.limit) await this.inflight.shift();
  }

  /**
   * One mkdir per new directory, parents first: a recursive mkdir per file
   * re-probes every existing level, and on slow disks those probes add up.
   */
  private ensureDir(dir: string): Promise<unknown> {
    let p = this.dirs.get(dir);
    if (p) return p;
    const parent = dirname(dir);
    p = parent === dir ? Promise.resolve() : this.ensureDir(parent).then(() => ensureRealDir(dir));
    p.catch(() => undefined); // a refused folder surfaces through the writes that wait for it, not as an unhandled rejection
    this.dirs.set(dir, p);
    return p;
  }

  async drain(): Promise<void> {
    while (this.inflight.length) await this.inflight.shift();
  }
}
