import type { DispatchQueue } from '@fileflow/domain';
import type { Admin } from 'kafkajs';

/** Names of the three topics, derived from the main topic's name. */
export interface TopicNames {
  main: string;
  retry: string;
  deadLetter: string;
}

/** Derives the retry and dead-letter topic names: `<main>-retry` and `<main>-dlt`. */
export function topicNames(mainTopic: string): TopicNames {
  return { main: mainTopic, retry: `${mainTopic}-retry`, deadLetter: `${mainTopic}-dlt` };
}

/** Topic name of a dispatch queue. */
export function topicFor(names: TopicNames, queue: DispatchQueue): string {
  if (queue === 'main') return names.main;
  return queue === 'retry' ? names.retry : names.deadLetter;
}

/**
 * Creates any of the three topics that do not exist yet. Every app calls this before it
 * publishes or subscribes, because the broker may not create topics on first use and a
 * message sent to a missing topic would be lost.
 */
export async function ensureTopics(
  admin: Admin,
  names: TopicNames,
  settings: { partitions: number; replicationFactor: number },
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [names.main, names.retry, names.deadLetter].filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
    })),
  });
  return missing;
}
