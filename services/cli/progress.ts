/**
 * A progress line on stderr: redrawn in place on a terminal, a line per 10%
 * otherwise (CI logs stay short). A total not known yet (a listing still
 * arriving) is `null`: then the line shows what is done, without a share,
 * and off a terminal a line every UNKNOWN_EVERY_MS.
 */
const UNKNOWN_EVERY_MS = 5000;

export class Progress {
  private lastDecile = -1;
  private lastDraw = performance.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly t0 = performance.now();

  constructor(private readonly label: string) {}

  /** `extra` as a function is formatted only when a line is drawn (callers that report per small object). */
  update(done: number, total: number | null, extra: string | (() => string) = ''): void {
    const now = performance.now();
    if (total === null) {
      if (now - this.lastDraw < (this.tty ? 100 : UNKNOWN_EVERY_MS)) return;
      this.lastDraw = now;
      extra = typeof extra === 'function' ? extra() : extra;
      if (this.tty) process.stderr.write(`\r${this.label} ${extra}\x1b[K`);
      else process.stderr.write(`${this.label} ${extra} (${((now - this.t0) / 1000).toFixed(1)}s)\n`);
      return;
    }
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    if (this.tty) {
      if (now - this.lastDraw < 100 && frac < 1) return;
      this.lastDraw = now;
      extra = typeof extra === 'function' ? extra() : extra;
      const width = 30, fill = Math.round(frac * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${extra}\x1b[K`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      extra = typeof extra === 'function' ? extra() : extra;
      process.stderr.write(`${this.label} ${decile * 10}% ${extra} (${((now - this.t0) / 1000).toFixed(1)}s)\n`);
    }
  }

  /** The final state, whatever the last redraw showed (the last batches finish after the last byte is read). */
  done(extra = ''): void {
    const secs = ((performance.now() - this.t0) / 1000).toFixed(1);
    if (this.tty) process.stderr.write(`\r${this.label} done ${extra} (${secs}s)\x1b[K\n`);
    else process.stderr.write(`${this.label} done ${extra} (${secs}s)\n`);
  }
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
