import { logLevel, type logCreator } from 'kafkajs';
import { pino, type Logger } from 'pino';

/** Creates the JSON logger of one app; every line carries the constant `service` field. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    // Presigned URLs carry a signature in their query string; it stays out of every line.
    redact: { paths: ['downloadUrl', '*.downloadUrl', 'download_url', '*.download_url'], censor: redactQuery },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

function redactQuery(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\?.*$/, '?[signature redacted]') : value;
}

const KAFKA_LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own log entries into `logger` with the `kafkajs` component field. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => ({ level, log }) => {
    const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
    child[KAFKA_LEVELS[level] ?? 'info'](fields, message);
  };
}
