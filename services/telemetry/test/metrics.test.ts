import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics.js';

describe('metrics', () => {
  it('renders histograms as cumulative buckets with _sum and _count', () => {
    const m = new Metrics();
    m.defineHistogram('h', 'help', [1, 10]);
    for (const v of [0.5, 5, 50]) m.observe('h', { source: 'a' }, v);
    const text = m.render();
    expect(text).toContain('# TYPE h histogram');
    expect(text).toContain('h_bucket{source="a",le="1"} 1');
    expect(text).toContain('h_bucket{source="a",le="10"} 2');
    expect(text).toContain('h_bucket{source="a",le="+Inf"} 3');
    expect(text).toContain('h_sum{source="a"} 55.5');
    expect(text).toContain('h_count{source="a"} 3');
  });

  it('escapes label values that would break the exposition format', () => {
    const m = new Metrics();
    m.define('c', 'counter', 'help');
    m.inc('c', { source: 'a"b\nc' });
    expect(m.render()).toContain('c{source="a_b_c"} 1');
  });
});
