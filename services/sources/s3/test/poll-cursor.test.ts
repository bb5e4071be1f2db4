/** Where a poll round starts listing, and where its cursor goes after it. */
import { describe, expect, it } from 'vitest';
import { nextCursor, pollFrom } from '../poll-cursor.js';

const REGION = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
const key = (day: string, n = 0) => `${REGION}${day.replace(/-/g, '/')}/obj-${n}.log.gz`;
const d = (s: string) => new Date(`${s}T00:00:00Z`);
const DAY = 86_400_000;

describe('poll cursor', () => {
  it('starts a round a lookback before the cursor, never before the configured from', () => {
    expect(pollFrom(REGION, d('2026-01-01'), null, DAY)).toEqual(d('2026-01-01'));
    expect(pollFrom(REGION, undefined, null, DAY)).toBeUndefined();
    expect(pollFrom(REGION, d('2026-01-01'), d('2026-03-10'), DAY)).toEqual(d('2026-03-09'));
    expect(pollFrom(REGION, d('2026-03-10'), d('2026-03-10'), DAY)).toEqual(d('2026-03-10'));
    expect(pollFrom(REGION, undefined, d('2026-03-10'), 2 * DAY)).toEqual(d('2026-03-08'));
  });

  it('leaves prefixes that are not listed by day alone (a date filter would drop undated keys)', () => {
    expect(pollFrom('AWSLogs/', undefined, d('2026-03-10'), DAY)).toBeUndefined();
    expect(pollFrom('AWSLogs/123456789012/vpcflowlogs/', d('2026-01-01'), d('2026-03-10'), DAY)).toEqual(d('2026-01-01'));
  });

  it('moves to the newest listed key, holds at the oldest unfinished one, and never loses ground otherwise', () => {
    const listed = [key('2026-03-08'), key('2026-03-10', 1), key('2026-03-09'), 'AWSLogs/undated.log'];
    expect(nextCursor(listed, [], null)).toEqual(d('2026-03-10'));
    expect(nextCursor(listed, [key('2026-03-09'), key('2026-03-10', 1)], d('2026-03-10'))).toEqual(d('2026-03-09'));
    expect(nextCursor([], [], d('2026-03-10'))).toEqual(d('2026-03-10'));
    expect(nextCursor([key('2026-03-09')], [], d('2026-03-10'))).toEqual(d('2026-03-10'));
    expect(nextCursor(['AWSLogs/undated.log'], [], null)).toBeNull();
  });
});
