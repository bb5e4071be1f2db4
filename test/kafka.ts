/** Kafka helpers for tests. */
import { Kafka, logLevel } from 'kafkajs';

export async function createTopic(brokers: string[], topic: string, numPartitions = 3): Promise<Kafka> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try { await admin.createTopics({ topics: [{ topic, numPartitions }] }); } finally { await admin.disconnect(); }
  return kafka;
}

/**
 * The broker's topics now, and a way to delete those made since: every suite
 * makes topics of its own, and a broker kept across runs (its data dir is) that
 * gathers hundreds of them, gigabytes of partitions, starts and fetches slower.
 */
export async function topicsMadeFrom(brokers: string[], only: (topic: string) => boolean = () => true): Promise<{ deleteNew(): Promise<number> }> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const before = new Set(await admin.listTopics());
    return {
      async deleteNew() {
        const a = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
        await a.connect();
        try {
          const made = (await a.listTopics()).filter((t) => !before.has(t) && !t.startsWith('__') && only(t));
          if (made.length > 0) await a.deleteTopics({ topics: made, timeout: 60_000 });
          return made.length;
        } finally { await a.disconnect(); }
      },
    };
  } finally { await admin.disconnect(); }
}
