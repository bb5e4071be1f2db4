/** Kafka helpers for tests. */
import { Kafka, logLevel } from 'kafkajs';

export async function createTopic(brokers: string[], topic: string, numPartitions = 3): Promise<Kafka> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try { await admin.createTopics({ topics: [{ topic, numPartitions }] }); } finally { await admin.disconnect(); }
  return kafka;
}
