import { afterEach, describe, expect, it } from 'vitest';
import { logLevel as KafkaLevel } from 'kafkajs';
import { kafkaLogCreator } from '../kafka-log.js';
import { log, logLevel, setLogLevel, setLogSink } from '../log.js';

const lines: Record<string, unknown>[] = [];
const [restoreSink, restoreLevel] = [setLogSink((l) => lines.push(JSON.parse(l) as Record<string, unknown>)), logLevel()];
setLogLevel('info');
afterEach(() => { setLogSink(restoreSink); setLogLevel(restoreLevel); });

describe('kafkajs log lines', () => {
  it('become flowlog JSON lines with the level, the source and kafkajs fields', () => {
    const write = kafkaLogCreator(log.child({ source: 'k' }))(KafkaLevel.INFO);
    write({ namespace: 'Connection', level: KafkaLevel.ERROR, label: 'ERROR', log: { timestamp: 'x', logger: 'kafkajs', message: 'Connection error', broker: 'b:9092', clientId: 'flowlog' } });
    write({ namespace: 'ConsumerGroup', level: KafkaLevel.WARN, label: 'WARN', log: { timestamp: 'x', message: 'rebalancing' } });
    write({ namespace: 'Consumer', level: KafkaLevel.DEBUG, label: 'DEBUG', log: { timestamp: 'x', message: 'fetch' } }); // below info: dropped
    expect(lines).toEqual([
      { time: expect.any(String), level: 'error', event: 'kafka.client', source: 'k', namespace: 'Connection', message: 'Connection error', broker: 'b:9092', clientId: 'flowlog' },
      { time: expect.any(String), level: 'warn', event: 'kafka.client', source: 'k', namespace: 'ConsumerGroup', message: 'rebalancing' },
    ]);
  });
});
