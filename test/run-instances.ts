/**
 * Test support: several `flowlog run` processes side by side, as a deployment
 * runs them. Each instance gets its own config file (the caller's YAML plus a
 * `metrics:` section on a port of its own), its own data folder
 * (FLOWLOG_DATA_DIR) and its own log; they share whatever the YAML names (one
 * server store, one Kafka group, one bucket). The harness starts them, waits
 * until each answers /healthz (and, if asked, has logged an event), ends them
 * with SIGTERM or SIGKILL, restarts them under the same name, and keeps every
 * incarnation's log so a failing test can show what each process said.
 *
 *   const fleet = new Instances({ dir });
 *   const a = fleet.start('a', yaml, { args: ['--role', 'ingest'] });
 *   await a.ready({ event: 'source.started' });
 *   await a.kill();            // SIGKILL; a.stop() is SIGTERM and waits for exit
 *   await fleet.restart('a');  // same name, config, args and port
 *   afterEach((ctx) => fleet.dumpOnFailure(ctx));  afterAll(() => fleet.stopAll());
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/flowlog.js', import.meta.url));

export interface StartOptions {
  /** Extra arguments after `run --config FILE` (e.g. `--role detect`). */
  args?: string[];
  /** Extra environment, over this process's. */
  env?: Record<string, string>;
}

export interface ReadyOptions {
  /** Also wait for this structured log event (e.g. 'source.started'), counted in this incarnation's log only. */
  event?: string;
  /** Default 60 s. */
  timeoutMs?: number;
}

export interface Instance {
  readonly name: string;
  /** Port of /metrics and /healthz (the same across restarts). */
  readonly port: number;
  /** The current incarnation's process. */
  readonly child: ChildProcess;
  readonly configFile: string;
  readonly dataDir: string;
  /** The current incarnation's stderr (flowlog's structured log). */
  log(): string;
  /** The current incarnation's log lines parsed as JSON, those that are. */
  events(name?: string): Record<string, unknown>[];
  /** Resolves when /healthz answers 200 (and the event, if given, is logged); rejects if the process exits first or time runs out. */
  ready(opts?: ReadyOptions): Promise<void>;
  /** GET /healthz: status and parsed body, or null when nothing answers. */
  healthz(): Promise<{ status: number; body: Record<string, unknown> } | null>;
  /** GET /metrics text, '' when nothing answers. */
  metrics(): Promise<string>;
  /** SIGTERM and wait for the exit (SIGKILL after `graceMs`, default 30 s); resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  readonly running: boolean;
  /** Exit code (null while running or when ended by a signal). */
  readonly exitCode: number | null;
}

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const exitOf = (c: ChildProcess) => new Promise<number | null>((r) => {
  if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode);
  else c.once('exit', (code) => r(code));
});

interface Slot { name: string; yaml: string; opts: StartOptions; port: number; configFile: string; dataDir: string; logs: string[]; current: Instance }

export class Instances {
  private readonly slots = new Map<string, Slot>();
  private readonly dir: string;

  /** `dir`: where config files, data folders and saved logs go (the caller removes it). */
  constructor(opts: { dir: string }) { this.dir = opts.dir; }

  /**
   * Starts instance `name` with `yaml` (a flowlog config without `metrics:`; the harness adds it).
   * Returns at once: await `ready()` before relying on it. Ports are picked free per instance.
   */
  async start(name: string, yaml: string, opts: StartOptions = {}): Promise<Instance> {
    if (this.slots.get(name)?.current.running) throw new Error(`instance ${name} is already running`);
    if (/^metrics:/m.test(yaml)) throw new Error('the harness writes metrics: itself (one port per instance); leave it out of the YAML');
    const port = await freePort();
    const home = join(this.dir, `instance-${name}`);
    const dataDir = join(home, 'data');
    mkdirSync(dataDir, { recursive: true });
    const configFile = join(home, 'flowlog.yaml');
    writeFileSync(configFile, `${yaml.trimEnd()}\nmetrics:\n  listen: 127.0.0.1:${port}\n`);
    const slot: Slot = { name, yaml, opts, port, configFile, dataDir, logs: [], current: undefined as unknown as Instance };
    slot.current = this.spawn(slot);
    this.slots.set(name, slot);
    return slot.current;
  }

  /** Starts `name` again with its config, args and port (after stop() or kill(), or killing it first if it still runs). */
  async restart(name: string): Promise<Instance> {
    const slot = this.slot(name);
    if (slot.current.running) await slot.current.kill();
    slot.current = this.spawn(slot);
    return slot.current;
  }

  get(name: string): Instance { return this.slot(name).current; }

  /** Every instance, running or not. */
  all(): Instance[] { return [...this.slots.values()].map((s) => s.current); }

  running(): Instance[] { return this.all().filter((i) => i.running); }

  /** Every incarnation's log of `name`, oldest first. */
  logs(name: string): string[] { return [...this.slot(name).logs]; }

  /** SIGTERM to every running instance, then wait for all; resolves to the exit codes by name. */
  async stopAll(graceMs?: number): Promise<Record<string, number | null>> {
    const live = this.running();
    const codes = await Promise.all(live.map((i) => i.stop(graceMs)));
    return Object.fromEntries(live.map((i, k) => [i.name, codes[k]!]));
  }

  /** SIGKILL to every running instance (for afterAll after a failure). */
  async killAll(): Promise<void> { await Promise.all(this.running().map((i) => i.kill())); }

  /** The tail of every incarnation's log of every instance, for a failure message. */
  report(tailLines = 40): string {
    const out: string[] = [];
    for (const s of this.slots.values()) {
      s.logs.forEach((text, k) => {
        const lines = text.trimEnd().split('\n');
        out.push(`--- ${s.name} #${k + 1} (${lines.length} lines, last ${Math.min(tailLines, lines.length)}) ---`, ...lines.slice(-tailLines));
      });
    }
    return out.join('\n');
  }

  /** Writes every log to NAME-N.log in a new folder under the system's temp folder (outlives the test's own folder); returns it. */
  saveLogs(): string {
    const to = mkdtempSync(join(tmpdir(), 'flowlog-instance-logs-'));
    for (const s of this.slots.values()) s.logs.forEach((text, k) => writeFileSync(join(to, `${s.name}-${k + 1}.log`), text));
    return to;
  }

  /** For vitest's afterEach: on a failed test, prints every instance's log tail (and saves the full logs). */
  dumpOnFailure(ctx: { task: { name: string; result?: { state?: string } } }): void {
    if (ctx.task.result?.state !== 'fail') return;
    console.error(`instances of "${ctx.task.name}" (full logs in ${this.saveLogs()}):\n${this.report()}`);
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name);
    if (!s) throw new Error(`no instance named ${name}`);
    return s;
  }

  private spawn(slot: Slot): Instance {
    const child = spawn(process.execPath, [BIN, 'run', '--config', slot.configFile, ...(slot.opts.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLOWLOG_DATA_DIR: slot.dataDir, ...slot.opts.env },
    });
    const index = slot.logs.push('') - 1;
    const append = (d: Buffer) => { slot.logs[index] += String(d); };
    child.stderr!.on('data', append);
    child.stdout!.on('data', append);
    const exit = exitOf(child);
    const url = `http://127.0.0.1:${slot.port}`;
    const log = () => slot.logs[index]!;
    const healthz = async () => {
      try {
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
        return { status: r.status, body: await r.json() as Record<string, unknown> };
      } catch { return null; }
    };
    const inst: Instance = {
      name: slot.name, port: slot.port, child, configFile: slot.configFile, dataDir: slot.dataDir,
      log,
      events: (name) => log().split('\n').flatMap((l) => {
        if (!l.startsWith('{')) return [];
        try { const e = JSON.parse(l) as Record<string, unknown>; return name === undefined || e.event === name ? [e] : []; } catch { return []; }
      }),
      healthz,
      metrics: async () => {
        try { return await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text(); } catch { return ''; }
      },
      ready: async ({ event, timeoutMs = 60_000 } = {}) => {
        const t0 = Date.now();
        let exited = false;
        void exit.then(() => { exited = true; });
        for (;;) {
          if (exited) throw new Error(`instance ${slot.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log().split('\n').slice(-40).join('\n')}`);
          const logged = event === undefined || log().includes(`"event":"${event}"`);
          if (logged && (await healthz())?.status === 200) return;
          if (Date.now() - t0 > timeoutMs) throw new Error(`instance ${slot.name} not ready after ${timeoutMs / 1000} s${event ? ` (waiting for ${event} and /healthz 200)` : ' (/healthz)'}:\n${log().split('\n').slice(-40).join('\n')}`);
          await pause(100);
        }
      },
      stop: async (graceMs = 30_000) => {
        if (!inst.running) return child.exitCode;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try { return await exit; } finally { clearTimeout(timer); }
      },
      kill: async () => {
        if (!inst.running) return;
        child.kill('SIGKILL');
        await exit;
      },
      get running() { return child.exitCode === null && child.signalCode === null; },
      get exitCode() { return child.exitCode; },
    };
    return inst;
  }
}
