/**
 * A file or a folder (recursively) laid out like S3 / Azure blob storage.
 * Objects are listed in path order: the time-ordered key layouts then give
 * time order, and a re-run visits objects in the same order (which the
 * batcher's replay-safe tokens rely on).
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FlowlogError } from '../core/errors.js';

export interface LocalObject { name: string; path: string; size: number; identity: string }

/** Marker and metadata files, hidden files and our own data folder are not flow logs. */
const skipName = (n: string): boolean => n.startsWith('.') || n.startsWith('_') || n === 'manifest.json';

export async function listLocalObjects(root: string): Promise<LocalObject[]> {
  const abs = resolve(root);
  let st;
  try { st = await stat(abs); } catch {
    throw new FlowlogError('SOURCE_NOT_FOUND', `no such file or folder: ${root}`, 'pass a flow log file or a folder of them (e.g. one written by `flowlog generate`)');
  }
  if (st.isFile()) return [{ name: abs, path: abs, size: st.size, identity: `${st.size}:${Math.trunc(st.mtimeMs)}` }];
  const out: LocalObject[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (skipName(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const s = await stat(p);
        if (s.size > 0) out.push({ name: p, path: p, size: s.size, identity: `${s.size}:${Math.trunc(s.mtimeMs)}` });
      }
    }
  };
  await walk(abs);
  return out;
}

/** Files above this are read as they are parsed, a window at a time, never whole (a 10 GB log costs one window). */
const STREAM_ABOVE = 4 << 20;

export const readLocalObject = async (o: LocalObject): Promise<Buffer | AsyncIterable<Buffer>> =>
  o.size > STREAM_ABOVE ? createReadStream(o.path, { highWaterMark: STREAM_ABOVE }) : readFile(o.path);
