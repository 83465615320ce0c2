import assert from 'node:assert/strict';

/** Body of an error response as the tests read it. */
export interface ErrorResponseBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Asserts that `response` has `status` and exactly the error shape with `code`, and returns the
 * body. When `field` is given the body must name it, and when it is null the body must not.
 */
export async function assertError(
  response: Response,
  status: number,
  code: string,
  field?: string | null,
): Promise<ErrorResponseBody> {
  const text = await response.text();
  assert.equal(response.status, status, `status of ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as ErrorResponseBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code, text);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0, 'message is empty');
  const allowed = ['code', 'message', 'field'];
  assert.ok(
    Object.keys(body.error).every((k) => allowed.includes(k)),
    `extra keys in ${text}`,
  );
  if (field === null) assert.equal(body.error.field, undefined, text);
  else if (field !== undefined) assert.equal(body.error.field, field, text);
  return body;
}
