/**
 * kafkajs's own log lines (broker connections, rebalances, retries) through
 * flowlog's logger, instead of kafkajs's default console text: the same JSON
 * lines, levels and FLOWLOG_LOG_LEVEL as the rest. Pass it as
 * `new Kafka({ ..., logCreator: kafkaLogCreator(log.child({ source })) })`.
 */
import { logLevel as KafkaLevel, type LogEntry, type logCreator } from 'kafkajs';
import { EVENTS } from './event-names.js';
import { log as rootLog, type Logger } from './log.js';

export function kafkaLogCreator(logger: Logger = rootLog): logCreator {
  return () => ({ namespace, level, log: entry }: LogEntry) => {
    // kafkajs's own timestamp and logger name repeat what our line already says
    const { message, timestamp: _t, logger: _l, ...extra } = entry;
    const fields = { namespace, message, ...extra };
    if (level === KafkaLevel.ERROR) logger.error(EVENTS.kafkaClient, fields);
    else if (level === KafkaLevel.WARN) logger.warn(EVENTS.kafkaClient, fields);
    else if (level === KafkaLevel.INFO) logger.info(EVENTS.kafkaClient, fields);
    else if (level === KafkaLevel.DEBUG) logger.debug(EVENTS.kafkaClient, fields);
  };
}
