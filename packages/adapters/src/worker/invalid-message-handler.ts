import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { InvalidMessageHandler } from '../kafka/upload-consumer.ts';
import { HEADERS, originHeaders } from '../kafka/message-format.ts';

/**
 * Builds the handler of messages that cannot be parsed: each goes to the dead-letter topic
 * unchanged, with the reason and its origin in headers, so the consumer moves on.
 */
export function createInvalidMessageHandler(
  producer: Producer,
  deadLetterTopic: string,
  logger: Logger,
): InvalidMessageHandler {
  return async (message, origin, reason) => {
    await producer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [HEADERS.errorClass]: 'permanent',
            [HEADERS.errorCode]: 'MESSAGE_INVALID',
            [HEADERS.errorMessage]: reason,
            ...originHeaders(origin),
          },
        },
      ],
    });
    logger.error({ ...origin, reason }, 'invalid message sent to the dead-letter topic');
  };
}
