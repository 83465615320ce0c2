import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEADERS, parseUploadMessage, toKafkaMessage } from './message-format.ts';

const id = '0b6c2a52-4a3f-4f59-9d38-3c1e1c7e2f10';

describe('parseUploadMessage', () => {
  it('reads the id, attempt and due time', () => {
    const message = toKafkaMessage({
      queue: 'retry',
      upload: { id, fileUrl: 'https://e.com/a', bucketName: 'b', objectName: 'a' },
      attempt: 3,
      dueAt: new Date('2026-01-01T00:00:05Z'),
    });
    const parsed = parseUploadMessage(Buffer.from(String(message.value)), message.headers);
    assert.deepEqual(parsed, { ok: true, job: { uploadId: id, attempt: 3 }, dueAt: new Date('2026-01-01T00:00:05Z') });
  });

  it('treats a message without headers as attempt 1', () => {
    const parsed = parseUploadMessage(Buffer.from(JSON.stringify({ id })));
    assert.deepEqual(parsed, { ok: true, job: { uploadId: id, attempt: 1 }, dueAt: null });
  });

  const invalid: Array<[string, Buffer | null, Record<string, string>]> = [
    ['text that is not JSON', Buffer.from('{not json'), {}],
    ['an empty value', null, {}],
    ['JSON without an id', Buffer.from('{"file_url":"x"}'), {}],
    ['an id that is not a UUID', Buffer.from('{"id":"42"}'), {}],
    ['a zero attempt', Buffer.from(JSON.stringify({ id })), { [HEADERS.attempt]: '0' }],
    ['a due time that is not a time', Buffer.from(JSON.stringify({ id })), { [HEADERS.dueAt]: 'soon' }],
  ];
  for (const [name, value, headers] of invalid) {
    it(`rejects ${name}`, () => {
      const parsed = parseUploadMessage(value, headers);
      assert.equal(parsed.ok, false);
    });
  }
});
