import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measureProcess, ownPeakRssMb, parseProcStatus } from '../process-meter.js';

describe('parseProcStatus', () => {
  it('reads resident and high-water memory in MB', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\nThreads:\t11\n';
    expect(parseProcStatus(text)).toEqual({ rssMb: 256, hwmMb: 512 });
  });

  it('is null for a process that is gone (a zombie has no memory lines)', () => {
    expect(parseProcStatus('Name:\tnode\nState:\tZ (zombie)\n')).toBeNull();
  });
});

describe('measureProcess', () => {
  it("returns the child's output and refuses a failed child with its stderr", async () => {
    const ok = await measureProcess(process.execPath, ['-e', 'process.stdout.write("42\\n")']);
    expect(ok.stdout).toBe('42\n');
    expect(ok.seconds).toBeGreaterThan(0);
    await expect(measureProcess(process.execPath, ['-e', 'console.error("boom"); process.exit(3)'])).rejects.toThrow(/exited 3: boom/);
  });

  it('sees the peak of memory the child held only briefly', async () => {
    // 200 MB touched and released, then a pause long enough for one sample
    const script = 'let b = Buffer.alloc(200 * 1024 * 1024, 1); b = null; setTimeout(() => {}, 600);';
    const m = await measureProcess(process.execPath, ['-e', script], { sampleMs: 100 });
    expect(m.peakRssMb).toBeGreaterThan(200);
    expect(m.samples.length).toBeGreaterThan(0);
  });
});

describe('ownPeakRssMb', () => {
  // /proc is Linux's: elsewhere ownPeakRssMb is null and the trap below is not there to show
  it.runIf(process.platform === 'linux')("is the child's own peak, not the parent's it was forked from (ru_maxrss carries across fork and exec)", async () => {
    const held = Buffer.alloc(400 * 1024 * 1024, 1); // the parent resident at 400 MB more when it spawns
    const meter = fileURLToPath(new URL('../process-meter.ts', import.meta.url));
    const code = `const { ownPeakRssMb } = await import(${JSON.stringify(meter)});
process.stdout.write(JSON.stringify({ own: ownPeakRssMb(), ru: process.resourceUsage().maxRSS / 1024 }));`;
    const m = await measureProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
    const r = JSON.parse(m.stdout) as { own: number; ru: number };
    expect(held[held.length - 1]).toBe(1);
    expect(r.ru).toBeGreaterThan(400); // the precondition, the kernel's: ru_maxrss starts at the parent's resident memory
    expect(r.own).toBeLessThan(250); // a Node with tsx: well under what the parent held
    expect(r.own).toBeGreaterThan(10);
    expect(ownPeakRssMb()).toBeGreaterThan(400); // and this process's is its own
  });
});
