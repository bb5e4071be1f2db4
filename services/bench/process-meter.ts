/**
 * Times a child process as a whole (start to exit, as a user would feel it)
 * and follows its memory from /proc/<pid>/status: VmHWM is the kernel's own
 * high-water mark of resident memory, so a sample taken every few hundred ms
 * still sees a short peak; only growth in the last interval before exit can
 * be missed. Off Linux there is no /proc: the RSS figures are null.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RssSample { t: number; rssMb: number }

export interface Measured {
  seconds: number;
  /** Highest VmHWM seen, MB; null where /proc is not available. */
  peakRssMb: number | null;
  /** Resident memory over time (seconds since spawn, MB). */
  samples: RssSample[];
  stdout: string;
  stderr: string;
}

/** VmRSS and VmHWM of a /proc/<pid>/status text, in MB; null when absent. */
export function parseProcStatus(text: string): { rssMb: number; hwmMb: number } | null {
  const kb = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const rss = kb('VmRSS'), hwm = kb('VmHWM');
  if (rss === null || hwm === null) return null;
  return { rssMb: rss / 1024, hwmMb: hwm / 1024 };
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  /** Working folder (where `--import tsx` is resolved from). */
  cwd?: string;
  sampleMs?: number;
  /** Called with each stderr chunk as it arrives (e.g. progress lines to timestamp). */
  onStderr?: (chunk: string, t: number) => void;
}

/**
 * This process's own peak resident memory, MB (VmHWM of /proc/self/status);
 * null off Linux. Not `process.resourceUsage().maxRSS`: Linux carries a
 * process's ru_maxrss across fork and exec, so a child spawned by a bench
 * that holds 1 GB reports at least 1 GB whatever it used itself. VmHWM
 * belongs to the address space exec made.
 */
export function ownPeakRssMb(): number | null {
  try { return parseProcStatus(readFileSync('/proc/self/status', 'utf8'))?.hwmMb ?? null; } catch { return null; }
}

/** Runs `cmd args` to exit; rejects when it exits non-zero (its stderr in the message). */
export function measureProcess(cmd: string, args: string[], opts: MeasureOptions = {}): Promise<Measured> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    let stdout = '', stderr = '', peak: number | null = null;
    const samples: RssSample[] = [];
    const sample = () => {
      let st: ReturnType<typeof parseProcStatus> = null;
      try { st = parseProcStatus(readFileSync(`/proc/${child.pid}/status`, 'utf8')); } catch { /* exited, or no /proc */ }
      if (!st) return;
      peak = Math.max(peak ?? 0, st.hwmMb);
      samples.push({ t: (performance.now() - t0) / 1000, rssMb: st.rssMb });
    };
    const timer = setInterval(sample, opts.sampleMs ?? 200);
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; opts.onStderr?.(s, (performance.now() - t0) / 1000); });
    child.on('error', (e) => { clearInterval(timer); reject(e); });
    child.on('exit', () => sample()); // usually too late (the process is gone), harmless when it is
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) { reject(new Error(`${[cmd, ...args].join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-5).join('\n')}`)); return; }
      resolvePromise({ seconds, peakRssMb: peak, samples, stdout, stderr });
    });
  });
}

const SELF = fileURLToPath(import.meta.url);

/**
 * Runs `call`, an expression over `m` (the module at `module`, imported) and
 * `log` (a line to the child's stderr), in a Node process of its own with tsx,
 * so that the memory it takes is its own; returns what it resolved to (as
 * JSON) and the child's peak RSS: the higher of the /proc samples and the
 * child's own VmHWM as it ends (a child that ends between two samples has
 * none). The child exits as soon as it has answered: a client library's
 * socket left open (kafkajs) must not hold it.
 */
export async function measureCall<T>(module: string, call: string, opts: MeasureOptions = {}): Promise<{ result: T; peakRssMb: number | null; seconds: number }> {
  const code = `const m = await import(${JSON.stringify(module)});
const { ownPeakRssMb } = await import(${JSON.stringify(SELF)});
const log = (s) => process.stderr.write(s + '\\n');
const result = await (${call});
process.stdout.write(JSON.stringify({ result, peakRssMb: ownPeakRssMb() }) + '\\n');
process.exit(0);`;
  const m = await measureProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], opts);
  const r = JSON.parse(m.stdout.trim().split('\n').pop()!) as { result: T; peakRssMb: number | null };
  const peaks = [m.peakRssMb, r.peakRssMb].filter((p): p is number => p !== null);
  return { result: r.result, peakRssMb: peaks.length ? Math.max(...peaks) : null, seconds: m.seconds };
}
