/** The egress ramp rules are settings: the config changes the detector's decision. */
import { describe, expect, it } from 'vitest';
import { detectSchema } from '../../../schemas/detect.js';
import { isRamp, type HourEval } from '../../detect/egress.js';
import { detectSettings } from '../../detect/settings.js';

const H = 3_600_000;
// six mildly-high hours rising steadily from 100 MB to 250 MB (last/first 2.5) over a 20 MB baseline
const tail: HourEval[] = [100, 130, 160, 190, 220, 250].map((mb, i) => ({ hour: i * H, observed: mb * 1e6, expected: 20e6, z: 3, basis: 'seasonal' }));
const params = (egress: Record<string, unknown>) => ({ ...detectSettings(detectSchema.parse({ egress })).egress }) as Parameters<typeof isRamp>[1];

describe('egress ramp rules from the config', () => {
  it('a ramp by the defaults', () => {
    expect(isRamp(tail, params({}))).toBe(true);
  });
  it('ramp_growth: a ramp must now triple', () => {
    expect(isRamp(tail, params({ ramp_growth: 3 }))).toBe(false);
  });
  it('ramp_trend: hours out of order pass a looser trend rule only', () => {
    const bumpy = [...tail];
    [bumpy[1], bumpy[3]] = [{ ...tail[3]!, hour: H }, { ...tail[1]!, hour: 3 * H }];
    expect(isRamp(bumpy, params({}))).toBe(false);
    expect(isRamp(bumpy, params({ ramp_trend: 0.6 }))).toBe(true);
  });
});
