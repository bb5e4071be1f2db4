/**
 * `flowlog detect --from --to`: a window that is not one is a USAGE error
 * naming the flag and the fix, before any store is opened; `--help` says
 * what the flags do.
 */
import { describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { HelpRequested } from '../args.js';
import { detectCommand, replayWindow } from '../commands/detect.js';

async function usageError(argv: string[]): Promise<FlowlogError> {
  const e = await detectCommand(argv).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(FlowlogError);
  expect((e as FlowlogError).code).toBe('USAGE');
  expect((e as FlowlogError).hint).toBeTruthy();
  return e as FlowlogError;
}

describe('detect --from/--to', () => {
  it('reads the window, --to defaulting to now', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(replayWindow('2026-11-13', '2026-11-20T00:00', now)).toEqual({ from: new Date('2026-11-13T00:00:00Z'), to: new Date('2026-11-20T00:00:00Z') });
    expect(replayWindow('2026-11-13T06:00:00Z', undefined, now)).toEqual({ from: new Date('2026-11-13T06:00:00Z'), to: now });
  });

  it('refuses a time that is not ISO 8601, naming the flag', async () => {
    expect((await usageError(['--from', 'last tuesday', '--to', '2026-11-20'])).message).toBe('--from "last tuesday" is not a time');
    expect((await usageError(['--from', '2026-11-13', '--to', '2026-13-45'])).message).toBe('--to "2026-13-45" is not a time');
  });

  it('refuses --from at or after --to, and a --to in the future', async () => {
    expect((await usageError(['--from', '2026-11-20', '--to', '2026-11-13'])).message).toBe('--from 2026-11-20T00:00:00.000Z is not before --to 2026-11-13T00:00:00.000Z');
    expect((await usageError(['--from', '2026-11-20', '--to', '2026-11-20'])).message).toMatch(/is not before --to/);
    expect(() => replayWindow('2026-11-13', '2026-11-21', new Date('2026-11-20T12:00:00Z'))).toThrow(/--to 2026-11-21T00:00:00.000Z is in the future/);
  });

  it('refuses --to without --from, and --now with a window', async () => {
    expect((await usageError(['--to', '2026-11-20'])).message).toMatch(/--to needs --from/);
    expect((await usageError(['--now', '2026-11-20', '--from', '2026-11-13'])).message).toMatch(/--now runs the detectors once; --from\/--to replay a window/);
  });

  it('--help documents the replay flags', async () => {
    const e = await detectCommand(['--help']).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(HelpRequested);
    const text = (e as HelpRequested).text;
    expect(text).toMatch(/--from VALUE\s+replay the schedule of `flowlog run`/);
    expect(text).toMatch(/--to VALUE\s+with --from: the end of the replayed window \(default now\)/);
  });
});
