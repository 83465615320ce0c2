import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { stackEnv } from './stack-env.ts';

/** A message read back from a topic, with headers as text. */
export interface ReadMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function kafka(): Kafka {
  return new Kafka({ clientId: 'e2e', brokers: stackEnv().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
}

/** Reads a topic from the start until `done` holds or `timeoutMs` passes. */
export async function readTopic(
  topic: string,
  done: (messages: ReadMessage[]) => boolean,
  timeoutMs = 15_000,
): Promise<ReadMessage[]> {
  const consumer = kafka().consumer({ groupId: `e2e-reader-${randomBytes(4).toString('hex')}` });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: headersAsText(message.headers),
          partition,
          offset: message.offset,
        });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done(messages) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Sends raw messages to a topic. */
export async function produceRaw(topic: string, values: Array<string | null>): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
