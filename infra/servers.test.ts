/**
 * ensureServers against stand-in scripts (no real server): it puts what `up`
 * prints into process.env, and its teardown stops only a server it started.
 * A server that was already running (a developer's, another run's) stays up.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureServers } from './servers.js';

let dir: string;
let saved: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-servers-'));
  mkdirSync(join(dir, 's3'));
  // status answers from a marker file; every call is appended to calls.txt
  writeFileSync(join(dir, 's3', 's3.sh'), [
    '#!/usr/bin/env bash', `echo "$1" >> "${dir}/calls.txt"`,
    'case "$1" in', `  status) [ -e "${dir}/running" ] ;;`, '  up) echo S3_ENDPOINT=http://127.0.0.1:1; echo S3_REGION=test ;;', 'esac',
  ].join('\n'));
  chmodSync(join(dir, 's3', 's3.sh'), 0o755);
  saved = process.env.S3_ENDPOINT;
  delete process.env.S3_ENDPOINT;
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env.S3_ENDPOINT; else process.env.S3_ENDPOINT = saved;
  rmSync(dir, { recursive: true, force: true });
});

const calls = () => readFileSync(join(dir, 'calls.txt'), 'utf8').trim().split('\n');

describe('ensureServers', () => {
  it('starts a stopped server, exports its address, and stops it at teardown', () => {
    const stop = ensureServers({ s3: true }, dir);
    expect(process.env.S3_ENDPOINT).toBe('http://127.0.0.1:1');
    stop();
    expect(calls()).toEqual(['status', 'up', 'down']);
  });

  it('leaves a server that was already running up', () => {
    writeFileSync(join(dir, 'running'), '');
    const stop = ensureServers({ s3: true }, dir);
    expect(process.env.S3_ENDPOINT).toBe('http://127.0.0.1:1');
    stop();
    expect(calls()).toEqual(['status', 'up']);
  });

  it('touches nothing when the environment names the server', () => {
    process.env.S3_ENDPOINT = 'http://elsewhere:9000';
    ensureServers({ s3: true }, dir)();
    expect(() => calls()).toThrow(/ENOENT/);
    expect(process.env.S3_ENDPOINT).toBe('http://elsewhere:9000');
  });
});
