// Smoke check of the broker started by infra/kafka/kafka.sh, with the project's own client (kafkajs).
//
//   node infra/kafka/smoke.mjs write  [topic] [count]   create <topic> (3 partitions), produce <count>
//                                                        messages, consume them all back with a new
//                                                        consumer group
//   node infra/kafka/smoke.mjs verify [topic] [count]   consume <topic> from the beginning with a new
//                                                        group and check that exactly <count> distinct
//                                                        messages are there (e.g. after `kafka.sh restart`)
//
// KAFKA_BROKERS (default 127.0.0.1:19092). Prints JSON counts; exit 1 on a mismatch.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
const { Kafka, logLevel } = require('kafkajs');

const [mode = 'write', topic = 'flowlog-kafka-smoke', countArg = '1000'] = process.argv.slice(2);
const count = Number(countArg);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const kafka = new Kafka({ clientId: 'flowlog-kafka-smoke', brokers, logLevel: logLevel.ERROR });

async function consumeAll(expected, timeoutMs = 60_000) {
  const groupId = `smoke-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  const seen = new Set();
  const perPartition = {};
  let total = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const started = Date.now();
  await new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, timeoutMs);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        total++;
        seen.add(message.value.toString());
        perPartition[partition] = (perPartition[partition] ?? 0) + 1;
        if (seen.size >= expected) { clearTimeout(timer); resolve(); }
      },
    }).catch(reject);
  });
  // a short grace period: anything beyond `expected` would be a duplicate or a stray message
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return { groupId, total, distinct: seen.size, perPartition, ms: Date.now() - started };
}

const t0 = Date.now();
if (mode === 'write') {
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `m${i}` }));
  for (let i = 0; i < messages.length; i += 200) {
    await producer.send({ topic, messages: messages.slice(i, i + 200) });
  }
  await producer.disconnect();
  const consumed = await consumeAll(count);
  const out = { mode, topic, created, partitions: meta.topics[0].partitions.length, produced: count, consumed, ms: Date.now() - t0 };
  console.log(JSON.stringify(out));
  process.exit(consumed.distinct === count && consumed.total === count ? 0 : 1);
} else if (mode === 'verify') {
  const consumed = await consumeAll(count);
  console.log(JSON.stringify({ mode, topic, expected: count, consumed, ms: Date.now() - t0 }));
  process.exit(consumed.distinct === count && consumed.total === count ? 0 : 1);
} else {
  console.error(`unknown mode ${mode} (write|verify)`);
  process.exit(2);
}
