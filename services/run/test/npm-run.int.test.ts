/**
 * `npm run flowlog -- run` stopped with SIGTERM: npm exits without passing the
 * signal on, which once left flowlog running and holding the store's lock.
 * flowlog notices its parent is gone and shuts down cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { waitFor } from '../../../test/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('npm run flowlog -- run', () => {
  it('stops when npm is stopped, and releases the store', async () => {
    const brokers = process.env.KAFKA_BROKERS!;
    const topic = testTopic('npm-run');
    await createTopic(brokers.split(','), topic, 1);
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-npm-run-'));
    const config = join(dir, 'flowlog.yaml');
    writeFileSync(config, [`store: { kind: embedded, data_dir: ${join(dir, 'store')} }`, 'sources:',
      `  - { kind: kafka, name: k, brokers: [${brokers}], topics: [${topic}], group_id: g-${topic} }`].join('\n'));
    const npm = spawn('npm', ['run', '--silent', 'flowlog', '--', 'run', '--config', config], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let flowlogPid = 0;
    npm.stderr!.on('data', (d) => { err += String(d); });
    try {
      await waitFor(() => err.includes('"event":"source.started"'), 'flowlog run to start under npm');
      // the node process npm started (through sh on some npm versions): the lock names it
      flowlogPid = Number((JSON.parse(readFileSync(join(dir, 'store', 'flowlog.lock'), 'utf8')) as { pid: number }).pid);
      expect(flowlogPid).toBeGreaterThan(0);
      npm.kill('SIGTERM');
      await waitFor(() => !alive(flowlogPid), 'flowlog to stop after npm was stopped', 30_000);
      expect(err).toContain('"signal":"parent-exited"');
      expect(err).toContain('"event":"shutdown.done"');
    } finally {
      npm.kill('SIGKILL');
      if (flowlogPid && alive(flowlogPid)) process.kill(flowlogPid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
