import { describe, expect, it } from 'vitest';
import { atLeast, atMost, formatTable, ratio, scoreboard, TARGETS, type Measurements, type Pair } from '../scoreboard.js';

const pair = (flowlog: number, engine: number, rssMb: number | null = 400, objects = 8): Pair => ({
  flowlog: { flows: flowlog * 10, seconds: 10, peakRssMb: rssMb }, engine: { flows: engine * 10, seconds: 10, peakRssMb: 300 }, objects,
});
const row = (m: Measurements, figure: string) => scoreboard(m).find((r) => r.figure.startsWith(figure))!;

describe('ratio and verdicts', () => {
  it('is null when a side is missing or the reference is not positive', () => {
    expect(ratio(1, 2)).toBe(0.5);
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(1, undefined)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });

  it('passes at the bound and says n/a without a figure', () => {
    expect(atLeast(0.9, 0.9)).toBe('pass');
    expect(atLeast(0.89, 0.9)).toBe('miss');
    expect(atLeast(null, 0.9)).toBe('n/a');
    expect(atMost(512, 512)).toBe('pass');
    expect(atMost(513, 512)).toBe('miss');
    expect(atMost(null, 512)).toBe('n/a');
  });
});

describe('scoreboard', () => {
  it('judges the large set against the engine, the small mix against the large rate', () => {
    const m: Measurements = { large: pair(300_000, 330_000), smallAws: pair(170_000, 400_000, 400, 10_044), smallAzure: pair(190_000, 100_000, 400, 9_484) };
    const large = row(m, 'ingest large');
    expect(large).toMatchObject({ value: '300,000/s', reference: '330,000/s', ratio: '0.91x', verdict: 'pass' });
    // 170k is 0.57x the large rate: a miss, although the engine comparison is not the target here
    expect(row(m, 'ingest small AWS')).toMatchObject({ ratio: '0.42x', target: `>= ${TARGETS.smallVsLarge}x large (0.57x)`, verdict: 'miss' });
    expect(row(m, 'ingest small Azure')).toMatchObject({ ratio: '1.90x', target: '>= 0.6x large (0.63x)', verdict: 'pass' });
    expect(row(m, 'ingest small AWS').figure).toBe('ingest small AWS v2+v5 (10,044 objects)');
  });

  it('shows the small mix against its own flows in large objects, with no verdict of its own', () => {
    const m: Measurements = { large: pair(400_000, 400_000), smallAws: pair(200_000, 100_000, 400, 10_044), bundledAws: pair(250_000, 200_000, 400, 9) };
    const row = scoreboard(m).find((r) => r.figure.includes('same flows'))!;
    expect(row).toMatchObject({ figure: '  AWS, same flows in 9 objects', value: '250,000/s', reference: '200,000/s', ratio: '1.25x',
      target: 'small objects at 0.80x of it (engine 0.50x)', verdict: 'n/a' });
    expect(scoreboard({ ...m, smallAws: undefined }).find((r) => r.figure.includes('same flows'))!.target).toBe('small objects at - of it (engine -)');
  });

  it('holds the memory profile minimal to 512 MB too, with its rate against the default\'s', () => {
    const m: Measurements = {
      large: pair(300_000, 330_000, 900), smallAws: pair(170_000, 400_000, 800, 10_044),
      minimal: { large: { flows: 1_500_000, seconds: 10, peakRssMb: 490 }, smallAws: { flows: 1_600_000, seconds: 10, peakRssMb: 513 } },
    };
    expect(row(m, 'peak RSS large,')).toMatchObject({ figure: 'peak RSS large, memory: minimal', value: '490 MB', reference: '150,000/s (0.50x default)', verdict: 'pass' });
    expect(row(m, 'peak RSS small AWS,')).toMatchObject({ value: '513 MB', verdict: 'miss' });
    expect(scoreboard(m).find((r) => r.figure === 'peak RSS large')).toMatchObject({ value: '900 MB', verdict: 'miss' });
    expect(scoreboard(m).some((r) => r.figure.startsWith('peak RSS small Azure,'))).toBe(false);
  });

  it('misses the large target just under 0.9x', () => {
    expect(row({ large: pair(296_999, 330_000) }, 'ingest large').verdict).toBe('miss');
  });

  it('holds every ingest to 512 MB peak RSS, and shows the engine RSS beside it', () => {
    const m: Measurements = { large: pair(1, 1, 512), smallAws: pair(1, 1, 513), smallAzure: pair(1, 1, null) };
    expect(row(m, 'peak RSS large')).toMatchObject({ value: '512 MB', reference: '300 MB', verdict: 'pass' });
    expect(row(m, 'peak RSS small AWS').verdict).toBe('miss');
    expect(row(m, 'peak RSS small Azure')).toMatchObject({ value: '-', verdict: 'n/a' });
  });

  it('judges Kafka against the local rate and S3 against its absolute bar', () => {
    expect(row({ kafka: { flowsPerSec: 80, localLarge: 100 } }, 'Kafka')).toMatchObject({ ratio: '0.80x', verdict: 'pass' });
    expect(row({ kafka: { flowsPerSec: 79, localLarge: 100 } }, 'Kafka').verdict).toBe('miss');
    expect(row({ s3Latency: { flowsPerSec: 150_000, peakRssMb: null } }, 'S3').verdict).toBe('pass');
    expect(row({ s3Latency: { flowsPerSec: 1, peakRssMb: 600 } }, 'peak RSS S3')).toMatchObject({ value: '600 MB', verdict: 'miss' });
    expect(row({ s3Latency: null }, 'S3')).toMatchObject({ value: 'not measured', verdict: 'n/a' });
    const low = { s3Latency: { flowsPerSec: 200, peakRssMb: 700 }, minimal: { s3Latency: { flowsPerSec: 150, peakRssMb: 500 } } };
    expect(row(low, 'peak RSS S3 +20 ms, memory')).toMatchObject({ value: '500 MB', reference: '150/s (0.75x default)', verdict: 'pass' });
    const k = { kafka: { flowsPerSec: 400, localLarge: 500, peakRssMb: 900 }, minimal: { kafka: { flowsPerSec: 100, peakRssMb: 600 } } };
    expect(row(k, 'peak RSS Kafka')).toMatchObject({ value: '900 MB', verdict: 'miss' });
    expect(row(k, 'peak RSS Kafka, memory')).toMatchObject({ value: '600 MB', reference: '100/s (0.25x default)', verdict: 'miss' });
    expect(scoreboard({ kafka: { flowsPerSec: 1, localLarge: 1 } }).map((r) => r.figure)).toEqual(['Kafka -> store']); // no peak measured, no row
    expect(row({ kafka: { flowsPerSec: 400, localLarge: 500 }, minimal: { kafka: { flowsPerSec: 100, peakRssMb: 600 } } }, 'peak RSS Kafka, memory').reference).toBe('100/s (0.25x default)');
    expect(row({ sqs: { objects: 5000, flowsPerSec: 2_500, listedFlowsPerSec: 100_000 } }, 'SQS')).toMatchObject({
      figure: 'SQS -> store, 5,000 small objects', value: '2,500/s', reference: '100,000/s listed', ratio: '0.03x', target: '>= 0.6x listed', verdict: 'miss' });
    expect(row({ sqs: { objects: 5000, flowsPerSec: 60_000, listedFlowsPerSec: 100_000 } }, 'SQS').verdict).toBe('pass');
    expect(scoreboard({}).length).toBe(0);
  });

  it('needs both parse bars', () => {
    expect(row({ parse: { ours: 1_600_000, engine: 2_000_000 } }, 'parse').verdict).toBe('pass');
    expect(row({ parse: { ours: 1_400_000, engine: 2_000_000 } }, 'parse').verdict).toBe('miss'); // ratio fine, rate not
    expect(row({ parse: { ours: 1_600_000, engine: 3_000_000 } }, 'parse').verdict).toBe('miss'); // rate fine, ratio not
  });

  it('judges the sustained rate as last against first', () => {
    const rows = scoreboard({ sustained: { firstRate: 100, lastRate: 79, peakRssMb: 600, window: 5_000_000 } });
    expect(rows.map((r) => r.verdict)).toEqual(['miss', 'miss']);
    expect(rows[0]).toMatchObject({ figure: 'sustained: last 5M flows / first', ratio: '0.79x' });
    expect(scoreboard({ sustained: { firstRate: 100, lastRate: 80, peakRssMb: 512, window: 2_500_000 } }).map((r) => [r.figure, r.verdict]))
      .toEqual([['sustained: last 2.5M flows / first', 'pass'], ['peak RSS sustained', 'pass']]);
  });
});

describe('formatTable', () => {
  it('aligns the columns under a header and writes a miss in capitals', () => {
    const text = formatTable(scoreboard({ large: pair(300_000, 330_000), kafka: { flowsPerSec: 1, localLarge: 100 } }));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^figure +measured +engine ref +ratio +target +verdict$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/pass$/);
    expect(lines[3]).toMatch(/MISS$/);
    // right-aligned figures end in the same column
    const end = (l: string, s: string) => l.indexOf(s) + s.length;
    expect(end(lines[1]!, '300,000/s')).toBe(end(lines[0]!, 'measured'));
    expect(end(lines[2]!, '400 MB')).toBe(end(lines[0]!, 'measured'));
    expect(end(lines[2]!, '300 MB')).toBe(end(lines[0]!, 'engine ref'));
  });
});
