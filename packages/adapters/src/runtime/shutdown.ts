import type { Logger } from 'pino';

/** One step of a shutdown, run in list order. */
export interface Closer {
  name: string;
  close: () => Promise<void>;
}

/**
 * Runs the closers in order on SIGTERM or SIGINT and exits 0, or exits 1 when a closer fails
 * or the whole shutdown passes `deadlineMs`.
 */
export function installShutdown(closers: Closer[], deadlineMs: number, logger: Logger): void {
  let started = false;
  const shutdown = async (signal: string) => {
    if (started) return;
    started = true;
    logger.info({ signal, deadlineMs }, 'shutdown started');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    let failed = false;
    for (const closer of closers) {
      try {
        await closer.close();
      } catch (error) {
        failed = true;
        logger.error({ err: error, closer: closer.name }, 'shutdown step failed');
      }
    }
    logger.info({ failed }, 'shutdown finished');
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
