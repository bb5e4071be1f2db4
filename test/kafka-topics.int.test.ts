/** The integration run deletes the topics its suites made, and only those. */
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic, topicsMadeFrom } from './kafka.js';

describe('topics made by the tests', () => {
  it('are deleted at the end; topics that were there before stay', async () => {
    const brokers = process.env.KAFKA_BROKERS!.split(',');
    const run = `${process.pid}-${Date.now() % 100000}`;
    await createTopic(brokers, `flowlog-kept-${run}`, 1);
    // only this run's: other suites make topics at the same time
    const since = await topicsMadeFrom(brokers, (t) => t.endsWith(run));
    await createTopic(brokers, `flowlog-made-${run}`, 1);
    expect(await since.deleteNew()).toBe(1);
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const left = await admin.listTopics();
      expect(left).toContain(`flowlog-kept-${run}`);
      expect(left).not.toContain(`flowlog-made-${run}`);
      await admin.deleteTopics({ topics: [`flowlog-kept-${run}`] });
    } finally { await admin.disconnect(); }
  });
});
