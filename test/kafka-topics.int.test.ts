/** The integration run deletes the topics of its own run id, and no others. */
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic, deleteTopicsOf, ofRun } from './kafka.js';

describe('topics made by a test run', () => {
  it('are deleted by run id; a topic of another run stays', async () => {
    const brokers = process.env.KAFKA_BROKERS!.split(',');
    // run ids of their own: this run's real topics belong to suites running beside this one
    const tag = `${process.pid}x${Date.now() % 100000}`;
    const ours = `flowlog-probe-rmine${tag}-1`, theirs = `flowlog-probe-rother${tag}-1`;
    await createTopic(brokers, ours, 1);
    await createTopic(brokers, theirs, 1);
    expect(await deleteTopicsOf(brokers, ofRun(`mine${tag}`))).toBe(1);
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      let left = await admin.listTopics();
      // deletion reaches the metadata a moment later
      for (let i = 0; i < 300 && left.includes(ours); i++) { await new Promise((r) => setTimeout(r, 100)); left = await admin.listTopics(); }
      expect(left).not.toContain(ours);
      expect(left).toContain(theirs);
      await admin.deleteTopics({ topics: [theirs] });
    } finally { await admin.disconnect(); }
  });
});
