import { publicIdOf, tokenMatches, type StoredApiKey } from '@fileflow/adapters';

/** The API key a request was made with. */
export interface Principal {
  keyId: string;
  name: string;
  allowedBuckets: string[];
}

/** Cause of a failed authentication. The log records it for the operator; clients never see it. */
export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'revoked';

/** Outcome of authenticating one request. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthFailure };

/** Finds and records the use of stored keys. */
export interface ApiKeyLookup {
  findByPublicId(publicId: string): Promise<StoredApiKey | null>;
  touch(id: string, now: Date): Promise<void>;
}

/** Interval below which a key's last-use time is not written again, in milliseconds. */
const TOUCH_INTERVAL_MS = 60_000;

/** Checks `Authorization: Bearer <key>` headers against the stored keys. */
export class ApiKeyAuthenticator {
  constructor(
    private readonly keys: ApiKeyLookup,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authenticate(header: string | undefined): Promise<AuthResult> {
    if (!header) return { ok: false, reason: 'missing' };
    const match = /^Bearer +(\S+)$/i.exec(header.trim());
    const publicId = match ? publicIdOf(match[1]!) : null;
    if (!match || !publicId) return { ok: false, reason: 'malformed' };

    const key = await this.keys.findByPublicId(publicId);
    if (!key || !tokenMatches(match[1]!, key.keyHash)) return { ok: false, reason: 'unknown' };
    if (key.revokedAt) return { ok: false, reason: 'revoked' };

    this.recordUse(key);
    return { ok: true, principal: { keyId: key.id, name: key.name, allowedBuckets: key.allowedBuckets } };
  }

  private recordUse(key: StoredApiKey): void {
    const now = this.now();
    if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < TOUCH_INTERVAL_MS) return;
    // A failed write of the last-use time must not fail the request.
    this.keys.touch(key.id, now).catch(() => {});
  }
}
