import { z } from 'zod';

/** Raised when the environment contains an invalid or missing setting. Its message lists every problem. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

/** Builds the schema of an integer setting within bounds. */
export function integer(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.coerce.number().int().min(min).max(max).default(fallback);
}

/** Builds the schema of a decimal setting within bounds. */
export function decimal(fallback: number, min: number, max: number) {
  return z.coerce.number().min(min).max(max).default(fallback);
}

/** Builds the schema of a comma-separated list setting, empty by default. */
export function list() {
  return z
    .string()
    .default('')
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));
}

/** Builds the schema of a boolean setting written as true/false, 1/0 or yes/no. */
export function flag(fallback: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes'].includes(value));
}

/** Builds the schema of a required URL setting with an allowed set of schemes. */
export function url(schemes: string[]) {
  return z.string().refine(
    (value) => URL.canParse(value) && schemes.includes(new URL(value).protocol.replace(':', '')),
    { message: `must be an absolute URL with scheme ${schemes.join(' or ')}` },
  );
}

/**
 * Parses `env` with `schema`, or raises ConfigError naming each invalid variable, its value
 * (secrets hidden) and the rule it broke.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    const raw = env[name];
    const shown = raw === undefined ? 'missing' : isSecret(name) ? 'set (hidden)' : `"${raw}"`;
    return `  ${name} is ${shown}: ${issue.message}`;
  });
  return failConfig(lines);
}

function failConfig(lines: string[]): never {
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

function isSecret(name: string): boolean {
  return /SECRET|PASSWORD|KEY$/.test(name) && !name.endsWith('ACCESS_KEY');
}
