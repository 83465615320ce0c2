import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError } from '../testing/assertions.ts';
import { buildTestApp, postUpload, validBody } from '../testing/test-app.ts';

type Field = 'file_url' | 'bucket_name' | 'object_name';

/** Posts a body that is valid except for `field` and asserts that it was stored as sent. */
async function assertAccepted(field: Field, value: string): Promise<void> {
  const { app, files } = buildTestApp();
  const response = await postUpload(app, { ...validBody, [field]: value });
  assert.equal(response.status, 202, await response.clone().text());
  assert.deepEqual(files.calls, ['add']);
  const stored = [...files.rows.values()][0]!.snapshot();
  const storedValue = {
    file_url: stored.fileUrl,
    bucket_name: stored.bucketName,
    object_name: stored.objectName,
  };
  assert.equal(storedValue[field], value);
}

/** Posts a body that is invalid only in `field` and asserts a 400 that never reached storage. */
async function assertRejected(field: Field, value: unknown): Promise<void> {
  const { app, files } = buildTestApp();
  const response = await postUpload(app, { ...validBody, [field]: value });
  await assertError(response, 400, 'VALIDATION_FAILED', field);
  assert.deepEqual(files.calls, []);
}

function runCases(field: Field, valid: Array<[string, string]>, invalid: Array<[string, unknown]>) {
  describe(field, () => {
    for (const [name, value] of valid) {
      it(`accepts ${name}`, () => assertAccepted(field, value));
    }
    for (const [name, value] of invalid) {
      it(`rejects ${name}`, () => assertRejected(field, value));
    }
  });
}

describe('POST /api/v1/upload validation', () => {
  runCases(
    'file_url',
    [
      ['an https URL', 'https://example.com/photos/cat.jpg'],
      ['an http URL with port, query and fragment', 'http://example.com:8080/a.jpg?size=2#top'],
      ['an IPv6 host', 'http://[2001:db8::1]/a.jpg'],
      ['an internationalised host', 'https://例え.jp/写真.jpg'],
      ['a space inside the path', 'https://example.com/a b.jpg'],
      ['2048 characters', `https://example.com/${'a'.repeat(2048 - 20)}`],
    ],
    [
      ['an ftp URL', 'ftp://example.com/a.jpg'],
      ['a file URL', 'file:///etc/passwd'],
      ['a javascript URL', 'javascript:alert(1)'],
      ['a data URL', 'data:text/plain,hello'],
      ['a relative URL', '/photos/cat.jpg'],
      ['a URL without scheme', 'example.com/cat.jpg'],
      ['a URL with user and password', 'https://user:secret@example.com/a.jpg'],
      ['a URL with a user name', 'https://user@example.com/a.jpg'],
      ['a leading space', ' https://example.com/a.jpg'],
      ['a trailing newline', 'https://example.com/a.jpg\n'],
      ['a tab inside', 'https://exam\tple.com/a.jpg'],
      ['a space in the host', 'https://exa mple.com/a.jpg'],
      ['a URL without host', 'http://'],
      ['2049 characters', `https://example.com/${'a'.repeat(2049 - 20)}`],
      ['an empty string', ''],
      ['a number', 42],
      ['null', null],
      ['an object', { href: 'https://example.com/a.jpg' }],
      ['an array', ['https://example.com/a.jpg']],
    ],
  );

  runCases(
    'bucket_name',
    [
      ['3 characters', 'abc'],
      ['63 characters', 'a'.repeat(63)],
      ['dots and hyphens inside', 'my.photo-bucket-1'],
      ['a leading digit', '1photos'],
      ['a name that only looks like a suffix', 'photos-s3'],
    ],
    [
      ['2 characters', 'ab'],
      ['64 characters', 'a'.repeat(64)],
      ['uppercase letters', 'Photos'],
      ['an underscore', 'my_photos'],
      ['a space', 'my photos'],
      ['a non-ASCII letter', 'fotós'],
      ['a leading hyphen', '-photos'],
      ['a trailing hyphen', 'photos-'],
      ['a leading dot', '.photos'],
      ['a trailing dot', 'photos.'],
      ['two dots in a row', 'my..photos'],
      ['an IPv4 address', '192.168.1.10'],
      ['the prefix xn--', 'xn--photos'],
      ['the prefix sthree-', 'sthree-photos'],
      ['the prefix amzn-s3-demo-', 'amzn-s3-demo-photos'],
      ['the suffix -s3alias', 'photos-s3alias'],
      ['the suffix --ol-s3', 'photos--ol-s3'],
      ['the suffix .mrap', 'photos.mrap'],
      ['the suffix --x-s3', 'photos--x-s3'],
      ['the suffix --table-s3', 'photos--table-s3'],
      ['an empty string', ''],
      ['a number', 123],
      ['a boolean', true],
    ],
  );

  runCases(
    'object_name',
    [
      ['spaces', 'my holiday photo.jpg'],
      ['a plus sign', 'C++ notes.pdf'],
      ['a percent sign', '50%.png'],
      ['a percent escape kept as text', 'a%20b%2F.txt'],
      ['a hash sign', 'issue#12.txt'],
      ['a question mark', 'why?.txt'],
      ['CJK characters', '報告 (1).pdf'],
      ['an emoji', 'photos/📷 2026.jpg'],
      ['a combining accent', 'cafe\u0301.txt'],
      ['a single character', 'a'],
      ['exactly 1024 bytes of ASCII', 'a'.repeat(1024)],
      ['exactly 1024 bytes of 3-byte characters', `${'報'.repeat(341)}a`],
      ['a leading slash', '/photos/cat.jpg'],
      ['dots inside a segment', 'a..b/...hidden/.env'],
    ],
    [
      ['1025 bytes of ASCII', 'a'.repeat(1025)],
      ['1026 bytes in 342 characters', '報'.repeat(342)],
      ['an empty string', ''],
      ['a NUL character', 'a\u0000b'],
      ['a newline', 'a\nb'],
      ['a DEL character', 'a\u007fb'],
      ['a C1 control character', 'a\u0085b'],
      ['an unpaired surrogate', 'a\ud800b'],
      ['the segment "."', '.'],
      ['the segment ".."', '..'],
      ['a ".." segment inside', 'photos/../secret.txt'],
      ['a leading "./" segment', './cat.jpg'],
      ['a trailing "." segment', 'photos/.'],
      ['a number', 7],
      ['null', null],
      ['an array', ['a.txt']],
    ],
  );
});

describe('POST /api/v1/upload body', () => {
  const cases: Array<[string, string | Uint8Array, string, string | null]> = [
    ['malformed JSON', '{"file_url": ', 'MALFORMED_JSON', null],
    ['an empty body', '', 'MALFORMED_JSON', null],
    ['a JSON array', '[]', 'VALIDATION_FAILED', null],
    ['JSON null', 'null', 'VALIDATION_FAILED', null],
    ['a JSON number', '12', 'VALIDATION_FAILED', null],
    ['a JSON string', '"https://example.com/a.jpg"', 'VALIDATION_FAILED', null],
    [
      'a missing file_url',
      JSON.stringify({ ...validBody, file_url: undefined }),
      'VALIDATION_FAILED',
      'file_url',
    ],
    [
      'a missing bucket_name',
      JSON.stringify({ ...validBody, bucket_name: undefined }),
      'VALIDATION_FAILED',
      'bucket_name',
    ],
    [
      'a missing object_name',
      JSON.stringify({ ...validBody, object_name: undefined }),
      'VALIDATION_FAILED',
      'object_name',
    ],
    ['an unknown field', JSON.stringify({ ...validBody, owner: 'me' }), 'UNKNOWN_FIELD', 'owner'],
    [
      'a __proto__ field',
      `{"__proto__":{"admin":true},${JSON.stringify(validBody).slice(1)}`,
      'UNKNOWN_FIELD',
      '__proto__',
    ],
    [
      'a constructor field',
      JSON.stringify({ ...validBody, constructor: {} }),
      'UNKNOWN_FIELD',
      'constructor',
    ],
    [
      'a duplicate key',
      `{"file_url":"https://a.example/x",${JSON.stringify(validBody).slice(1)}`,
      'DUPLICATE_FIELD',
      'file_url',
    ],
    [
      'a duplicate key spelled with escapes',
      `{"\\u0066ile_url":"x",${JSON.stringify(validBody).slice(1)}`,
      'DUPLICATE_FIELD',
      'file_url',
    ],
    [
      'invalid UTF-8',
      Buffer.concat([
        Buffer.from('{"file_url":"https://e.com/a","bucket_name":"photos","object_name":"a'),
        Buffer.from([0xff]),
        Buffer.from('"}'),
      ]),
      'INVALID_ENCODING',
      null,
    ],
    ['an overlong UTF-8 sequence', Buffer.from([0x22, 0xc0, 0xaf, 0x22]), 'INVALID_ENCODING', null],
  ];
  for (const [name, body, code, field] of cases) {
    it(`rejects ${name} with 400`, async () => {
      const { app, files } = buildTestApp();
      await assertError(await postUpload(app, body), 400, code, field ?? undefined);
      assert.deepEqual(files.calls, []);
    });
  }

  it('says which field is required', async () => {
    const { app } = buildTestApp();
    const { object_name: _, ...body } = validBody;
    const error = await assertError(
      await postUpload(app, body),
      400,
      'VALIDATION_FAILED',
      'object_name',
    );
    assert.equal(error.error.message, 'object_name is required');
  });

  it('allows equal keys in different objects', async () => {
    const { app } = buildTestApp();
    const body = `{"file_url":{"a":1},"bucket_name":{"a":2},"object_name":"x"}`;
    await assertError(await postUpload(app, body), 400, 'VALIDATION_FAILED', 'file_url');
  });

  it('accepts a body with a byte order mark', async () => {
    const { app } = buildTestApp();
    const response = await postUpload(app, `\ufeff${JSON.stringify(validBody)}`);
    assert.equal(response.status, 202);
  });
});

describe('POST /api/v1/upload transport', () => {
  it('rejects a body over the limit with 413', async () => {
    const { app, files } = buildTestApp({ maxBodyBytes: 1024 });
    const body = JSON.stringify({ ...validBody, object_name: 'a'.repeat(2000) });
    await assertError(await postUpload(app, body), 413, 'BODY_TOO_LARGE', null);
    assert.deepEqual(files.calls, []);
  });

  it('rejects a declared length over the limit with 413', async () => {
    const { app } = buildTestApp({ maxBodyBytes: 1024 });
    const headers = { 'content-length': '5000' };
    const response = await postUpload(app, JSON.stringify(validBody).padEnd(5000, ' '), headers);
    await assertError(response, 413, 'BODY_TOO_LARGE', null);
  });

  it('accepts a body just under the limit', async () => {
    const { app } = buildTestApp({ maxBodyBytes: 1024 });
    const body = JSON.stringify(validBody).padEnd(1024, ' ');
    assert.equal((await postUpload(app, body)).status, 202);
  });

  const mediaTypes: Array<[string, Record<string, string>]> = [
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a JSON lookalike', { 'content-type': 'application/jsonp' }],
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=iso-8859-1' }],
  ];
  for (const [name, headers] of mediaTypes) {
    it(`rejects ${name} with 415`, async () => {
      const { app, files } = buildTestApp();
      await assertError(await postUpload(app, validBody, headers), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.deepEqual(files.calls, []);
    });
  }

  it('rejects a missing content type with 415', async () => {
    const { app } = buildTestApp();
    const request = new Request('http://localhost/api/v1/upload', {
      method: 'POST',
      body: new TextEncoder().encode(JSON.stringify(validBody)),
    });
    await assertError(await app.request(request), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  for (const type of [
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json;charset="UTF-8"',
    'application/json; charset=utf8',
  ]) {
    it(`accepts content type ${type}`, async () => {
      const { app } = buildTestApp();
      assert.equal((await postUpload(app, validBody, { 'content-type': type })).status, 202);
    });
  }
});

describe('POST /api/v1/upload response', () => {
  it('returns 202 with id, message, status_url and Location', async () => {
    const { app, files } = buildTestApp();
    const response = await postUpload(app, validBody);
    assert.equal(response.status, 202);
    const body = (await response.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['id', 'message', 'status_url']);
    assert.equal(body.message, 'file upload initiated successfully');
    assert.equal(body.status_url, `/api/v1/files/${body.id}`);
    assert.equal(response.headers.get('location'), body.status_url);
    assert.ok(files.rows.has(body.id!));
    assert.equal(files.dispatched.length, 1);
  });
});
