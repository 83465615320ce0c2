import type { UploadDispatch, UploadQueue } from '@fileflow/domain';
import type { Producer } from 'kafkajs';
import { toKafkaMessage } from './message-format.ts';
import { topicFor, type TopicNames } from './topics.ts';

/**
 * Publishes dispatches to the main, retry and dead-letter topics with acks from all in-sync
 * replicas. Connects the producer on first use and again after it lost its connection, so a
 * broker that was down at start-up is picked up once it is back.
 */
export class KafkaUploadQueue implements UploadQueue {
  private connected = false;

  constructor(
    private readonly producer: Producer,
    private readonly topics: TopicNames,
  ) {
    producer.on(producer.events.CONNECT, () => {
      this.connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  async publish(dispatches: UploadDispatch[]): Promise<void> {
    if (!this.connected) await this.producer.connect();
    const byTopic = new Map<string, UploadDispatch[]>();
    for (const dispatch of dispatches) {
      const topic = topicFor(this.topics, dispatch.queue);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), dispatch]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, items]) => ({
        topic,
        messages: items.map(toKafkaMessage),
      })),
    });
  }
}
