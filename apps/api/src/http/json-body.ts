import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env.ts';
import { ApiError, echo } from './errors.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// Labels of UTF-8 in the WHATWG Encoding Standard that clients send in practice.
const UTF8_LABELS = new Set(['utf-8', 'utf8']);

/**
 * Rejects a body unless it is `application/json`, valid UTF-8 and valid JSON with no key twice
 * in one object. It runs before the route's schema, because Hono's own parser would replace
 * invalid bytes with U+FFFD and keep the last of two equal keys, so such a body could otherwise
 * be stored as something the client never sent.
 */
export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  checkContentType(c.req.header('content-type'));
  const text = decodeUtf8(await c.req.arrayBuffer());
  checkJson(text);
  await next();
});

function checkContentType(header: string | undefined): void {
  const [mediaType = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim());
  if (mediaType.toLowerCase() !== 'application/json') {
    const shown = header ? `"${echo(header)}"` : 'missing';
    const message = `content type is ${shown}: send the body as application/json`;
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
  const charset = parameters
    .find((p) => /^charset\s*=/i.test(p))
    ?.split('=')[1]
    ?.trim();
  // JSON exchanged between systems must be UTF-8 (RFC 8259, section 8.1).
  if (charset !== undefined && !UTF8_LABELS.has(charset.replace(/"/g, '').toLowerCase())) {
    const message = `charset "${echo(charset)}" is not supported: send UTF-8 JSON`;
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
}

function decodeUtf8(bytes: ArrayBuffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ApiError(
      400,
      'INVALID_ENCODING',
      'request body is not valid UTF-8: encode it as UTF-8',
    );
  }
}

function checkJson(text: string): void {
  if (text.trim() === '') {
    throw new ApiError(400, 'MALFORMED_JSON', 'request body is empty: send a JSON object');
  }
  try {
    JSON.parse(text);
  } catch {
    throw new ApiError(400, 'MALFORMED_JSON', 'request body is not valid JSON: send a JSON object');
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) {
    const message = `field "${echo(duplicate)}" appears more than once: send each field once`;
    throw new ApiError(400, 'DUPLICATE_FIELD', message, echo(duplicate));
  }
}

/** Returns the first key that occurs twice in one object of the valid JSON `text`, or null. */
export function findDuplicateKey(text: string): string | null {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      const end = closingQuote(text, i);
      const keys = open.at(-1);
      if (keys && expectingKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      open.push(char === '{' ? new Set() : null);
      expectingKey = char === '{';
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectingKey = open.at(-1) instanceof Set;
    }
  }
  return null;
}

function closingQuote(text: string, opening: number): number {
  let i = opening + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}
