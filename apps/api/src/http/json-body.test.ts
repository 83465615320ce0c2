import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDuplicateKey } from './json-body.ts';

describe('findDuplicateKey', () => {
  const cases: Array<[string, string, string | null]> = [
    ['unique keys', '{"a":1,"b":2}', null],
    ['a repeated key', '{"a":1,"a":2}', 'a'],
    ['a key repeated through an escape', '{"a":1,"\\u0061":2}', 'a'],
    ['a repeat after a nested object', '{"a":{"b":1},"a":2}', 'a'],
    ['a repeat inside a nested object', '{"a":{"b":1,"b":2}}', 'b'],
    ['equal keys in sibling objects', '[{"a":1},{"a":2}]', null],
    ['a value equal to a key', '{"a":"a","b":"a"}', null],
    ['quotes and commas inside strings', '{"a":"x\\",\\"a\\":","b":1}', null],
    ['the empty key twice', '{"":1,"":2}', ''],
    ['a scalar document', '"a"', null],
  ];
  for (const [name, text, expected] of cases) {
    it(`finds ${expected === null ? 'nothing' : `"${expected}"`} in ${name}`, () => {
      assert.equal(findDuplicateKey(text), expected);
    });
  }

  it('handles 10000 levels of nesting', () => {
    const text = `${'['.repeat(10_000)}{"a":1,"a":2}${']'.repeat(10_000)}`;
    assert.equal(findDuplicateKey(text), 'a');
  });
});
