import { fileURLToPath } from 'node:url';

/** Control of one service of the local stack. */
export interface StackControl {
  stopService(name: 'postgres' | 'kafka' | 's3'): Promise<void>;
  startService(name: 'postgres' | 'kafka' | 's3'): Promise<void>;
}

const stackModule = fileURLToPath(new URL('../../../../infra/local/stack.mjs', import.meta.url));
const { attachStack } = (await import(stackModule)) as { attachStack(dir: string): StackControl };

/** Attaches to the stack `npm test` started, to stop and start its services. */
export function localStack(): StackControl {
  const dir = process.env.FILEFLOW_STACK_DIR;
  if (!dir) throw new Error('FILEFLOW_STACK_DIR is missing: run the tests through "npm test"');
  return attachStack(dir);
}
