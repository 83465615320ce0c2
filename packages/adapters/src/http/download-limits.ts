/** Limits of one download, after defaults are applied. */
export interface DownloadLimits {
  /** Maximum body size in bytes. */
  maxBytes: number;
  /** Time allowed for DNS resolution plus the TCP connect, per request. */
  connectTimeoutMs: number;
  /** Time allowed from the TCP connect to the end of the response headers, per request. */
  headersTimeoutMs: number;
  /** Maximum wait for the next body bytes, counted only while the reader waits for them. */
  idleTimeoutMs: number;
  /** Time allowed from `open()` to the end of the body, redirects included. */
  totalTimeoutMs: number;
  /** Maximum number of redirects followed. One more is rejected. */
  maxRedirects: number;
}

/** Name of one download limit. */
export type LimitName = keyof DownloadLimits;

/** Limits used where an option is left out. */
export const DEFAULT_LIMITS: Readonly<DownloadLimits> = {
  maxBytes: 5 * 1024 ** 3,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 60 * 60 * 1000,
  maxRedirects: 5,
};

/** Maximum delay setTimeout accepts. Node fires longer ones at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Validated limits plus the setting names that failure messages cite. */
export class Limits {
  readonly values: Readonly<DownloadLimits>;

  /** Applies defaults and checks each limit, and throws RangeError for an invalid one. */
  constructor(
    overrides: Partial<DownloadLimits> = {},
    private readonly settingNames: Partial<Record<LimitName, string>> = {},
  ) {
    const values = { ...DEFAULT_LIMITS };
    for (const name of Object.keys(DEFAULT_LIMITS) as LimitName[]) {
      const value = overrides[name];
      if (value !== undefined) values[name] = checkLimit(name, value, settingNames[name] ?? name);
    }
    this.values = values;
  }

  /** Formats a limit as the setting that sets it, e.g. "maxBytes=5368709120". */
  cite(name: LimitName): string {
    return `${this.settingNames[name] ?? name}=${this.values[name]}`;
  }
}

/** Formats a byte count in binary units, e.g. "5 GiB", "1.5 KiB" or "512 bytes". */
export function formatBytes(bytes: number): string {
  const units = ['GiB', 'MiB', 'KiB'] as const;
  for (const [index, unit] of units.entries()) {
    const size = 1024 ** (units.length - index);
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

function checkLimit(name: LimitName, value: number, setting: string): number {
  const minimum = name === 'maxRedirects' ? 0 : 1;
  const maximum = name.endsWith('Ms') ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new RangeError(
      `${setting} must be an integer from ${minimum} to ${maximum}, but it is ${value}`,
    );
  }
  return value;
}
