import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, it } from 'node:test';
import { fixedLookup } from './connector.ts';

const ADDRESSES = [
  { address: '2001:db8::1', family: 6 },
  { address: '192.0.2.1', family: 4 },
];

function ask(options: { all?: boolean; family?: number }): Promise<unknown[]> {
  return new Promise((resolve) => {
    fixedLookup(ADDRESSES)('files.test', options, (error, address, family) =>
      resolve([error?.message ?? null, address, family]),
    );
  });
}

describe('fixedLookup', () => {
  it('returns every address for all', async () => {
    const [error, addresses] = await ask({ all: true });

    assert.equal(error, null);
    assert.deepEqual(addresses as LookupAddress[], ADDRESSES);
  });

  it('returns the first address', async () => {
    assert.deepEqual(await ask({}), [null, '2001:db8::1', 6]);
  });

  it('filters by family', async () => {
    assert.deepEqual(await ask({ family: 4 }), [null, '192.0.2.1', 4]);
  });

  it('fails when no address fits', async () => {
    const only4 = fixedLookup([{ address: '192.0.2.1', family: 4 }]);
    const error = await new Promise((resolve) => only4('files.test', { family: 6 }, resolve));

    assert.match(String(error), /no checked IPv6 address for files\.test/);
  });
});
