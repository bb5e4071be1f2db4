/**
 * The replay's steps from the intents of the batches left pending: each object
 * once, carried on across batches, with the last segment of each batch as its
 * cut; none when an object was cut short by its source.
 */
import { describe, expect, it } from 'vitest';
import type { IntentSegment } from '../../commit/write-ahead.js';
import { replaySteps } from '../replay-plan.js';

const seg = (name: string, first: number, last: number, ended: 0 | 1 | 2 = 1): IntentSegment => [name, `${name}-v1`, first, last, ended];

describe('replay steps', () => {
  it('reads each object once, from the first pending row, with a cut where each batch ended', () => {
    const steps = replaySteps([
      { segments: [seg('b', 400, 600), seg('d', 0, 300, 0)] },
      { segments: [seg('d', 300, 700), seg('f', 0, 50)] },
    ]);
    expect(steps).toEqual([
      { name: 'b', identity: 'b-v1', skipRows: 400, cuts: [] },
      { name: 'd', identity: 'd-v1', skipRows: 0, cuts: [{ first: 0, last: 300 }] },
      { name: 'f', identity: 'f-v1', skipRows: 0, cuts: [{ first: 0, last: 50 }] },
    ]);
  });

  it('an empty tail segment of an object that filled a batch exactly is carried on, not cut again', () => {
    const steps = replaySteps([{ segments: [seg('b', 0, 1000, 0)] }, { segments: [seg('b', 1000, 1000), seg('d', 0, 10)] }]);
    expect(steps).toEqual([
      { name: 'b', identity: 'b-v1', skipRows: 0, cuts: [{ first: 0, last: 1000 }] },
      { name: 'd', identity: 'd-v1', skipRows: 0, cuts: [{ first: 0, last: 10 }] },
    ]);
  });

  it('none when a source failure cut an object short, last in its batch or followed by another object', () => {
    expect(replaySteps([{ segments: [seg('b', 0, 300), seg('d', 0, 120, 2)] }])).toBeNull();
    expect(replaySteps([{ segments: [seg('b', 0, 300, 0), seg('d', 0, 120)] }])).toBeNull();
  });
});
