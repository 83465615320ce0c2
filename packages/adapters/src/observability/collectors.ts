import type { Admin } from 'kafkajs';
import type { OutboxRelay } from '../postgres/outbox-relay.ts';
import type { Metrics } from './metrics.ts';

/** Updates the outbox backlog gauge on each scrape; a failed count leaves the last value. */
export function collectOutboxBacklog(metrics: Metrics, relay: OutboxRelay): void {
  const gauge = metrics.outboxBacklog as unknown as { collect?: () => Promise<void> };
  gauge.collect = async () => {
    const unsent = await relay.countUnsent().catch(() => null);
    if (unsent !== null) metrics.outboxBacklog.set(unsent);
  };
}

/**
 * Updates the consumer lag gauge on each scrape: for each partition of `topic`, the distance
 * from the group's committed offset to the partition's end.
 */
export function collectConsumerLag(metrics: Metrics, admin: Admin, groupId: string, topic: string): void {
  const gauge = metrics.consumerLag as unknown as { collect?: () => Promise<void> };
  gauge.collect = async () => {
    try {
      await admin.connect();
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const positions = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]));
      for (const end of ends) {
        const position = Math.max(0, positions.get(end.partition) ?? 0);
        metrics.consumerLag.set({ topic, partition: String(end.partition) }, Number(end.high) - position);
      }
    } catch {
      // The broker is unreachable: the readiness check reports it, and the gauge keeps its values.
    }
  };
}
