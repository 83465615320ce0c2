/** A named check of one dependency; it raises when the dependency cannot be used. */
export interface DependencyCheck {
  name: string;
  check: () => Promise<unknown>;
}

/** Result of a readiness probe: each dependency's state. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function probeReadiness(
  checks: DependencyCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => [name, await settle(check, timeoutMs)] as const),
  );
  return { ready: results.every(([, state]) => state === 'ok'), checks: Object.fromEntries(results) };
}

async function settle(check: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok'), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
