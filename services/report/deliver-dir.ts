/**
 * Delivery to a folder: <path>/<stamp>/ keeps every report, <path>/latest/ the
 * newest. Never through a link: the dated and latest folders must be real
 * folders and each file is replaced by a rename, so a reader never sees half
 * a report and a planted link (latest -> elsewhere, report.html -> a file
 * elsewhere) is refused rather than written through.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRealDir, writeNoFollow } from '../core/contained-files.js';
import type { ReportFile } from './report-files.js';

export async function deliverToDir(files: ReportFile[], path: string, stamp: string): Promise<{ location: string; latest: string }> {
  const dated = join(path, stamp), latest = join(path, 'latest');
  await mkdir(path, { recursive: true });
  await ensureRealDir(dated);
  await ensureRealDir(latest);
  for (const f of files) await writeNoFollow(join(dated, f.name), f.body);
  for (const f of files) await writeNoFollow(join(latest, f.name), f.body);
  return { location: dated, latest };
}
