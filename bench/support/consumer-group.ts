import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';

/** Partitions of one topic assigned to each member of a consumer group, by member id. */
export type GroupAssignment = Map<string, number[]>;

/**
 * Waits until the consumer group is stable with `members` members that share all `partitions`
 * partitions of `topic`, and returns the assignment. A consumer logs "consumer started" before
 * it has joined its group, so a measurement that starts then would include a rebalance.
 */
export async function waitForGroup(
  brokers: string[],
  groupId: string,
  topic: string,
  expected: { members: number; partitions: number },
  timeoutMs = 60_000,
): Promise<GroupAssignment> {
  const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    let last = 'no description yet';
    while (Date.now() < deadline) {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const assignment: GroupAssignment = new Map();
      for (const member of group?.members ?? []) {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        assignment.set(member.memberId, decoded?.assignment[topic] ?? []);
      }
      const assigned = [...assignment.values()].reduce((sum, list) => sum + list.length, 0);
      const everyMemberWorks = [...assignment.values()].every((list) => list.length > 0);
      if (
        group?.state === 'Stable' &&
        assignment.size === expected.members &&
        assigned === expected.partitions &&
        everyMemberWorks
      ) {
        return assignment;
      }
      last = `state ${group?.state}, ${assignment.size} members, ${assigned} partitions assigned`;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `consumer group ${groupId} did not settle within ${timeoutMs} ms on ${expected.members} ` +
        `members sharing ${expected.partitions} partitions; last: ${last}`,
    );
  } finally {
    await admin.disconnect();
  }
}
