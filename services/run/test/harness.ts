/** Test harness for `flowlog run` as a child process: start it, know when its sources are up, watch its memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));

export interface RunChild { child: ChildProcess; stderr: () => string }

export function startRun(configFile: string, env: Record<string, string> = {}, cwd?: string): RunChild {
  const child = spawn(process.execPath, [BIN, 'run', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
  let buf = '';
  child.stderr!.on('data', (d) => { buf += String(d); });
  return { child, stderr: () => buf };
}

/** Resolves when the child's sources are up (its structured log says so). */
export function started(r: RunChild): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => { if (r.stderr().includes('"event":"source.started"')) { clearInterval(t); resolve(); } };
    const t = setInterval(check, 20);
    r.child.once('exit', (code) => { clearInterval(t); reject(new Error(`flowlog run exited (${code}) before starting:\n${r.stderr()}`)); });
  });
}

export const exited = (c: ChildProcess) => new Promise<number | null>((r) => {
  if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode);
  else c.once('exit', (code) => r(code));
});

/** Resident memory of a process, from /proc (Linux). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}
