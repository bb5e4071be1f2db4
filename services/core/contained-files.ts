/**
 * Writing files into an output folder without ever following a symbolic link
 * out of it (generate --out, report delivery to a folder). Whoever can write
 * into that folder could otherwise plant `latest -> /etc` or
 * `manifest.json -> ~/.bashrc` and have flowlog write, or delete, there.
 * Folders beneath the output folder must be real folders; a file is written
 * to a new temporary name and renamed over its target, so neither a symbolic
 * nor a hard link at the target is written through. The output folder itself
 * is the operator's choice and may be a link.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { FlowlogError } from './errors.js';

export function unsafePath(path: string, why: string): FlowlogError {
  return new FlowlogError('CONFIG_INVALID', `${path} ${why}: flowlog does not write through links or replace what is not its own file`,
    'remove it (or the link) from the output folder, or write to another folder');
}

/** `rel` as path segments, refusing absolute paths and `..` (a path from a file or a config is never trusted). */
export function containedSegments(root: string, rel: string): string[] {
  const parts = normalize(rel).split(sep).filter((p) => p !== '' && p !== '.');
  if (isAbsolute(rel) || parts.length === 0 || parts.includes('..')) throw unsafePath(join(root, rel), 'is not inside the output folder');
  return parts;
}

/** Creates `dir` (its parent exists) or checks that what is there is a real folder, not a link. */
export async function ensureRealDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = await lstat(dir);
    if (st.isSymbolicLink()) throw unsafePath(dir, 'is a symbolic link');
    if (!st.isDirectory()) throw unsafePath(dir, 'is not a folder');
  }
}

/**
 * Writes `path` whole, or leaves it as it was: refused when it is a link or
 * not a regular file; otherwise replaced by a rename (never written through).
 */
export async function writeNoFollow(path: string, data: string | Uint8Array): Promise<void> {
  const st = await lstat(path).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; });
  if (st?.isSymbolicLink()) throw unsafePath(path, 'is a symbolic link');
  if (st && !st.isFile()) throw unsafePath(path, 'is not a regular file');
  // a dot name: sources skip hidden files, so a reader never takes a half-written one for data
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' }); // exclusive: a link planted at the temporary name is not followed either
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Writes `rel` under `root` (which exists), creating real folders on the way. */
export async function writeContained(root: string, rel: string, data: string | Uint8Array): Promise<string> {
  const parts = containedSegments(root, rel);
  let dir = root;
  for (const p of parts.slice(0, -1)) await ensureRealDir(dir = join(dir, p));
  const path = join(dir, parts.at(-1)!);
  await writeNoFollow(path, data);
  return path;
}

/**
 * True when `rel` under `root` is a regular file reached through real folders
 * only: the one kind of thing a clean-up may delete.
 */
export async function isContainedFile(root: string, rel: string): Promise<boolean> {
  let parts: string[];
  try { parts = containedSegments(root, rel); } catch { return false; }
  let path = root;
  for (const [i, p] of parts.entries()) {
    path = join(path, p);
    const st = await lstat(path).catch(() => null);
    if (!st || st.isSymbolicLink()) return false;
    if (i < parts.length - 1 ? !st.isDirectory() : !st.isFile()) return false;
  }
  return true;
}
