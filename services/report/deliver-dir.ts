/** Delivery to a folder: <path>/<stamp>/ keeps every report, <path>/latest/ the newest. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportFile } from './report-files.js';

export async function deliverToDir(files: ReportFile[], path: string, stamp: string): Promise<{ location: string; latest: string }> {
  const dated = join(path, stamp), latest = join(path, 'latest');
  await mkdir(dated, { recursive: true });
  await mkdir(latest, { recursive: true });
  for (const f of files) await writeFile(join(dated, f.name), f.body);
  // each latest file is replaced by a rename, so a reader never sees half a report
  for (const f of files) {
    const tmp = join(latest, `.${f.name}.${process.pid}.tmp`);
    await writeFile(tmp, f.body);
    await rename(tmp, join(latest, f.name));
  }
  return { location: dated, latest };
}
