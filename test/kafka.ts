/** Kafka helpers for tests. */
import { Kafka, logLevel } from 'kafkajs';

export async function createTopic(brokers: string[], topic: string, numPartitions = 3): Promise<Kafka> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try { await admin.createTopics({ topics: [{ topic, numPartitions }] }); } finally { await admin.disconnect(); }
  return kafka;
}

/** This test run's id (set by the integration setup), in every topic a suite makes, so the run deletes its own. */
const RUN = process.env.FLOWLOG_TEST_RUN ?? 'local';

/** A topic name of this run: `label`, the run, this process and the time. */
export function testTopic(label: string): string {
  return `${label}-r${RUN}-${process.pid}-${Date.now() % 100000}`;
}

/** True for a topic made by the test run `run` (testTopic's names). */
export const ofRun = (run: string) => (topic: string): boolean => topic.includes(`-r${run}-`);

/**
 * Deletes the topics `only` picks, returning how many: the integration run
 * deletes its own at the end. Every suite makes topics, and a broker kept
 * across runs (its data dir is) that gathers hundreds of them, gigabytes of
 * partitions, starts and fetches slower. Picking by run, never "all made
 * since", leaves alone the topics of a bench or another checkout's tests on
 * the same broker.
 */
export async function deleteTopicsOf(brokers: string[], only: (topic: string) => boolean): Promise<number> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const ours = (await admin.listTopics()).filter((t) => !t.startsWith('__') && only(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 60_000 });
    return ours.length;
  } finally { await admin.disconnect(); }
}
