import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildTestApp, postUpload, validBody } from '../testing/test-app.ts';

// A fixed seed makes every run send the same bodies, so a failure can be replayed.
const SEED = 20_260_301;
const RUNS = 600;

const FIELDS = ['file_url', 'bucket_name', 'object_name'] as const;
const VALID_TEXT = JSON.stringify(validBody);
const encoder = new TextEncoder();

const field = fc.constantFrom(...FIELDS);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyJson, { maxLength: 4 }),
  fc.dictionary(fc.string(), anyJson, { maxKeys: 4 }),
);
const pollutingKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
  'FILE_URL',
);

/** Body text with `value` in place of one field of a valid body. */
const withField = (name: string, value: unknown) => JSON.stringify({ ...validBody, [name]: value });

const hostileBodies: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  // JSON that is not an object.
  anyJson
    .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map((v) => JSON.stringify(v)),
  // A field of the wrong type.
  fc.tuple(field, notAString).map(([name, value]) => withField(name, value)),
  // An extra key, including keys that pollute prototypes when merged naively.
  fc
    .tuple(pollutingKey, anyJson)
    .map(
      ([key, value]) => `{${JSON.stringify(key)}:${JSON.stringify(value)},${VALID_TEXT.slice(1)}`,
    ),
  // A key that appears twice.
  fc
    .tuple(field, anyJson)
    .map(([name, value]) => `{"${name}":${JSON.stringify(value)},${VALID_TEXT.slice(1)}`),
  // Invalid UTF-8 bytes inside the object name.
  fc
    .tuple(fc.subarray([0x80, 0xbf, 0xc0, 0xc1, 0xe2, 0xf5, 0xff], { minLength: 1 }), fc.nat(12))
    .map(([bytes, at]) =>
      spliceBytes(withField('object_name', 'photos/cat.jpg'), 'photos/cat.jpg', at, bytes),
    ),
  // Huge strings, past every length limit and sometimes past the body limit.
  fc
    .tuple(field, fc.integer({ min: 2_050, max: 40_000 }), fc.constantFrom('a', '報', '%'))
    .map(([name, length, char]) => withField(name, char.repeat(length))),
  // Control characters and unpaired surrogates in the object name.
  fc
    .tuple(
      fc.constantFrom('\u0000', '\n', '\u001b', '\u007f', '\u009f', '\ud800', '\udfff'),
      fc.string(),
    )
    .map(([bad, rest]) => withField('object_name', `${rest}${bad}`)),
  // Valid JSON cut short.
  fc.integer({ min: 0, max: VALID_TEXT.length - 1 }).map((length) => VALID_TEXT.slice(0, length)),
  // Deep nesting in place of a field.
  fc.tuple(field, fc.integer({ min: 1, max: 3_000 }), fc.boolean()).map(([name, depth, arrays]) => {
    const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
    return `{"${name}":${open.repeat(depth)}1${close.repeat(depth)}}`;
  }),
  // Required fields missing.
  fc
    .subarray([...FIELDS], { maxLength: 2 })
    .map((kept) => JSON.stringify(Object.fromEntries(kept.map((name) => [name, validBody[name]])))),
  // Arbitrary text and arbitrary objects.
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.object({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
);

/** Returns the UTF-8 bytes of `text` with `bytes` inserted into the first `target`, at `offset`. */
function spliceBytes(text: string, target: string, offset: number, bytes: number[]): Uint8Array {
  const start = text.indexOf(target) + Math.min(offset, target.length);
  return new Uint8Array([
    ...encoder.encode(text.slice(0, start)),
    ...bytes,
    ...encoder.encode(text.slice(start)),
  ]);
}

describe('POST /api/v1/upload fuzzing', () => {
  it(`returns only 4xx for ${RUNS} hostile bodies`, async () => {
    const { app, files } = buildTestApp();
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(hostileBodies, async (body) => {
        const response = await postUpload(app, body);
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        assert.ok(response.status >= 400, `status ${response.status}: ${text}`);
        assert.ok(response.status < 500, `status ${response.status}: ${text}`);
        const error = (JSON.parse(text) as { error: { code: unknown; message: unknown } }).error;
        assert.equal(typeof error.code, 'string');
        assert.equal(typeof error.message, 'string');
        assert.deepEqual(files.calls, []);
      }),
      { seed: SEED, numRuns: RUNS },
    );

    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    const sent = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    assert.equal(sent, RUNS);
    assert.ok(statuses.has(400), `statuses seen: ${[...statuses.keys()]}`);
    assert.ok(statuses.has(413), `statuses seen: ${[...statuses.keys()]}`);

    const after = await postUpload(app, validBody);
    assert.equal(after.status, 202);
    const { id } = (await after.json()) as { id: string };
    assert.equal((await app.request(`/api/v1/files/${id}`)).status, 200);
  });
});
