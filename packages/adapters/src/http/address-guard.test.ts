import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AddressGuard, addressRejection, parseNetworks } from './address-guard.ts';
import { connectToCheckedAddress } from './connector.ts';
import { GuardedHttpSource } from './guarded-http-source.ts';
import {
  expectFailure,
  recordingConnector,
  recordingLookup,
  startHttpServer,
  type TestServer,
} from './http-test-support.ts';

const signal = new AbortController().signal;

/** Addresses the guard must reject, with the reason it must give. */
const REJECTED_ADDRESSES: Array<[string, string]> = [
  ['127.0.0.1', 'address 127.0.0.1 is in the loopback range'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'address 10.0.0.1 is in the private range'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['169.254.169.254', 'address 169.254.169.254 is in the linkLocal range'],
  ['224.0.0.1', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['::1', 'address ::1 is in the loopback range'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12::1', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['::ffff:127.0.0.1', 'embeds IPv4 address 127.0.0.1, which is in the loopback range'],
  ['::ffff:7f00:1', 'embeds IPv4 address 127.0.0.1, which is in the loopback range'],
  ['::ffff:169.254.169.254', 'embeds IPv4 address 169.254.169.254, which is in the linkLocal'],
  ['::ffff:0:a00:1', 'embeds IPv4 address 10.0.0.1, which is in the private range'],
  ['64:ff9b::a9fe:a9fe', 'embeds IPv4 address 169.254.169.254'],
  ['2002:a00:1::', 'embeds IPv4 address 10.0.0.1, which is in the private range'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['64:ff9b:1::a00:1', 'rfc6052'],
  ['::7f00:1', 'address ::7f00:1 is in the ipv4Compatible range'],
  ['2001:db8::1', 'reserved'],
  ['not-an-address', 'address not-an-address is not a valid IP address'],
];

/** Public addresses, and IPv6 forms that embed one, which the guard must allow. */
const ALLOWED_ADDRESSES = [
  '8.8.8.8',
  '1.1.1.1',
  '2606:4700:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::',
];

/** URLs with a literal host the source must reject before any lookup or connection. */
const HOSTILE_LITERAL_URLS: Array<[string, string]> = [
  ['http://127.0.0.1/', 'address 127.0.0.1 is in the loopback range'],
  ['http://127.1/', 'address 127.0.0.1 is in the loopback range'],
  ['http://2130706433/', 'address 127.0.0.1 is in the loopback range'],
  ['http://0x7f000001/', 'address 127.0.0.1 is in the loopback range'],
  ['http://0177.0.0.1/', 'address 127.0.0.1 is in the loopback range'],
  ['http://0x7f.1/', 'address 127.0.0.1 is in the loopback range'],
  ['https://127.0.0.1:8443/', 'loopback'],
  ['http://10.0.0.1/', 'address 10.0.0.1 is in the private range'],
  ['http://172.16.0.1/', 'address 172.16.0.1 is in the private range'],
  ['http://192.168.1.1/', 'address 192.168.1.1 is in the private range'],
  ['http://100.64.0.1/', 'address 100.64.0.1 is in the carrierGradeNat range'],
  ['http://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is in the linkLocal'],
  ['http://224.0.0.1/', 'address 224.0.0.1 is in the multicast range'],
  ['http://0.0.0.0/', 'address 0.0.0.0 is in the unspecified range'],
  ['http://255.255.255.255/', 'address 255.255.255.255 is in the broadcast range'],
  ['http://[::1]/', 'address ::1 is in the loopback range'],
  ['http://[::]/', 'address :: is in the unspecified range'],
  ['http://[fe80::1]/', 'address fe80::1 is in the linkLocal range'],
  ['http://[fc00::1]/', 'address fc00::1 is in the uniqueLocal range'],
  ['http://[fd12::1]/', 'address fd12::1 is in the uniqueLocal range'],
  ['http://[::ffff:127.0.0.1]/', 'embeds IPv4 address 127.0.0.1, which is in the loopback range'],
  ['http://[::ffff:169.254.169.254]/', 'embeds IPv4 address 169.254.169.254'],
  ['http://[::ffff:7f00:1]/', 'embeds IPv4 address 127.0.0.1, which is in the loopback range'],
];

describe('addressRejection', () => {
  for (const [address, reason] of REJECTED_ADDRESSES) {
    it(`rejects ${address}`, () => {
      const rejection = addressRejection(address);
      assert.ok(rejection, `${address} was allowed`);
      assert.ok(rejection.includes(reason), rejection);
    });
  }

  for (const address of ALLOWED_ADDRESSES) {
    it(`allows public ${address}`, () => {
      assert.equal(addressRejection(address), null);
    });
  }

  it('allows listed private networks', () => {
    const allowed = parseNetworks(['127.0.0.0/8', '::1/128']);
    assert.equal(addressRejection('127.0.0.1', allowed), null);
    assert.equal(addressRejection('127.9.9.9', allowed), null);
    assert.equal(addressRejection('::ffff:127.0.0.1', allowed), null);
    assert.equal(addressRejection('::1', allowed), null);
  });

  it('keeps rejecting unlisted private networks', () => {
    const allowed = parseNetworks(['127.0.0.0/8']);
    assert.match(addressRejection('10.0.0.1', allowed) ?? '', /private/);
    assert.match(addressRejection('0.0.0.0', allowed) ?? '', /unspecified/);
    assert.match(addressRejection('::1', allowed) ?? '', /loopback/);
  });
});

describe('AddressGuard', () => {
  it('rejects an invalid CIDR', () => {
    assert.throws(() => new AddressGuard(['10.0.0.0/33']), RangeError);
    assert.throws(() => new AddressGuard(['localhost']), /not a CIDR network/);
  });

  it('rejects loopback by default', () => {
    assert.match(new AddressGuard().check('127.0.0.1') ?? '', /loopback/);
  });
});

describe('GuardedHttpSource address checks', () => {
  for (const [url, reason] of HOSTILE_LITERAL_URLS) {
    it(`rejects ${url}`, async () => {
      const lookup = recordingLookup({});
      const connect = recordingConnector();
      const source = new GuardedHttpSource({ lookup, connect });

      const failure = await expectFailure(source.open(url, signal), 'SOURCE_BLOCKED');

      assert.ok(failure.message.includes(reason), failure.message);
      assert.equal(failure.retryable, false);
      assert.deepEqual(lookup.calls, []);
      assert.deepEqual(connect.targets, []);
    });
  }

  it('rejects a name resolving to loopback', async () => {
    const lookup = recordingLookup({ 'files.test': ['127.0.0.1'] });
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ lookup, connect });

    const failure = await expectFailure(
      source.open('http://files.test/a', signal),
      'SOURCE_BLOCKED',
    );

    assert.match(failure.message, /files\.test .*address 127\.0\.0\.1 is in the loopback range/);
    assert.deepEqual(lookup.calls, ['files.test']);
    assert.deepEqual(connect.targets, []);
  });

  it('rejects a name with one private address', async () => {
    const lookup = recordingLookup({ 'mixed.test': ['8.8.8.8', '10.0.0.1'] });
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ lookup, connect });

    const failure = await expectFailure(
      source.open('http://mixed.test/', signal),
      'SOURCE_BLOCKED',
    );

    assert.match(failure.message, /10\.0\.0\.1 is in the private range/);
    assert.deepEqual(connect.targets, []);
  });

  it('would connect to a public literal', async () => {
    // The recording connector opens no socket to 8.8.8.8. It only shows that the guard let it pass.
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ connect });

    await expectFailure(source.open('http://8.8.8.8/file', signal), 'SOURCE_UNREACHABLE');

    assert.equal(connect.targets.length, 1);
    assert.deepEqual(connect.targets[0]?.addresses, [{ address: '8.8.8.8', family: 4 }]);
  });

  it('would connect to a public name', async () => {
    const lookup = recordingLookup({ 'public.test': ['8.8.8.8', '2606:4700:4700::1111'] });
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ lookup, connect });

    await expectFailure(source.open('https://public.test/file', signal), 'SOURCE_UNREACHABLE');

    assert.equal(connect.targets.length, 1);
    assert.equal(connect.targets[0]?.hostname, 'public.test');
    assert.equal(connect.targets[0]?.tls, true);
    assert.equal(connect.targets[0]?.port, 443);
    assert.equal(connect.targets[0]?.addresses.length, 2);
  });
});

describe('GuardedHttpSource defaults', () => {
  let server: TestServer;
  before(async () => {
    server = await startHttpServer((_, response) => response.end('secret'));
  });
  after(() => server.close());

  it('blocks loopback with no options', async () => {
    const source = new GuardedHttpSource();

    await expectFailure(source.open(server.url('/'), signal), 'SOURCE_BLOCKED');

    assert.equal(server.connections, 0);
  });

  it('blocks loopback before the connector', async () => {
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ connect });

    await expectFailure(source.open(server.url('/'), signal), 'SOURCE_BLOCKED');

    assert.deepEqual(connect.targets, []);
    assert.equal(server.connections, 0);
  });
});

describe('GuardedHttpSource URL checks', () => {
  const rejectedUrls: Array<[string, RegExp]> = [
    ['file:///etc/passwd', /unsupported scheme file:/],
    ['ftp://files.test/a.bin', /unsupported scheme ftp:/],
    ['data:text/plain,hello', /unsupported scheme data:/],
    ['javascript:alert(1)', /unsupported scheme javascript:/],
    ['gopher://files.test/', /unsupported scheme; use http or https/],
    ['not a url', /not a valid absolute URL/],
  ];
  for (const [url, reason] of rejectedUrls) {
    it(`rejects ${url.slice(0, 24)}`, async () => {
      const lookup = recordingLookup({});
      const source = new GuardedHttpSource({ lookup, connect: recordingConnector() });

      const failure = await expectFailure(source.open(url, signal), 'SOURCE_INVALID');

      assert.match(failure.message, reason);
      assert.deepEqual(lookup.calls, []);
    });
  }

  it('rejects credentials without echoing them', async () => {
    const lookup = recordingLookup({ 'files.test': ['8.8.8.8'] });
    const source = new GuardedHttpSource({ lookup, connect: recordingConnector() });
    const url = 'https://alice:hunter2@files.test/a.bin?token=abc';

    const failure = await expectFailure(source.open(url, signal), 'SOURCE_INVALID');

    assert.match(failure.message, /must not contain a user name or password/);
    assert.ok(!failure.message.includes('hunter2'), failure.message);
    assert.ok(!failure.message.includes('alice'), failure.message);
    assert.ok(!failure.message.includes('token=abc'), failure.message);
    assert.deepEqual(lookup.calls, []);
  });

  it('does not echo a password parsed as scheme', async () => {
    const source = new GuardedHttpSource({ connect: recordingConnector() });

    const failure = await expectFailure(
      source.open('admin:hunter2@files.test', signal),
      'SOURCE_INVALID',
    );

    assert.ok(!failure.message.includes('hunter2'), failure.message);
    assert.ok(!failure.message.includes('admin'), failure.message);
  });
});

describe('GuardedHttpSource redirect checks', () => {
  let server: TestServer;
  before(async () => {
    server = await startHttpServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('to');
      if (target !== null) {
        response.writeHead(302, { Location: target }).end();
      } else if (request.url?.startsWith('/hop/')) {
        const remaining = Number(request.url.slice('/hop/'.length));
        if (remaining > 0) response.writeHead(302, { Location: `/hop/${remaining - 1}` }).end();
        else response.end('arrived');
      } else {
        response.writeHead(404).end();
      }
    });
  });
  after(() => server.close());

  const local = { allowedPrivateNetworks: ['127.0.0.0/8'] };

  const blockedTargets: Array<[string, RegExp]> = [
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is in the linkLocal range/],
    ['http://[::ffff:a9fe:a9fe]/latest/', /embeds IPv4 address 169\.254\.169\.254/],
    ['http://10.0.0.1:8080/admin', /10\.0\.0\.1 is in the private range/],
    ['http://internal.test/', /internal\.test .*10\.0\.0\.2 is in the private range/],
  ];
  for (const [target, reason] of blockedTargets) {
    it(`blocks a redirect to ${target}`, async () => {
      const lookup = recordingLookup({ 'internal.test': ['10.0.0.2'] });
      const connect = recordingConnector();
      const source = new GuardedHttpSource({ ...local, lookup, connect });
      const start = server.url(`/go?to=${encodeURIComponent(target)}`);

      const failure = await expectFailure(source.open(start, signal), 'SOURCE_BLOCKED');

      assert.match(failure.message, reason);
      assert.equal(connect.targets.length, 1);
      assert.equal(connect.targets[0]?.hostname, '127.0.0.1');
    });
  }

  it('blocks a redirect from https to http', async () => {
    const lookup = recordingLookup({ 'files.test': ['127.0.0.1'] });
    // The "https" hop reaches the plain test server: this connector opens TCP without TLS.
    const plainTcp = recordingConnector((target) =>
      connectToCheckedAddress({ ...target, tls: false, port: server.port }),
    );
    const source = new GuardedHttpSource({ ...local, lookup, connect: plainTcp });
    const start = `https://files.test/go?to=${encodeURIComponent('http://files.test/plain')}`;

    const failure = await expectFailure(source.open(start, signal), 'SOURCE_BLOCKED');

    assert.match(failure.message, /downgrades https to http/);
    assert.equal(plainTcp.targets.length, 1);
    assert.deepEqual(lookup.calls, ['files.test']);
  });

  it('rejects a redirect to file:', async () => {
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ ...local, connect });
    const start = server.url(`/go?to=${encodeURIComponent('file:///etc/passwd')}`);

    const failure = await expectFailure(source.open(start, signal), 'SOURCE_INVALID');

    assert.match(failure.message, /unsupported scheme file:/);
    assert.equal(connect.targets.length, 1);
  });

  it('rejects a redirect with credentials', async () => {
    const source = new GuardedHttpSource({ ...local, connect: recordingConnector() });
    const start = server.url(`/go?to=${encodeURIComponent('http://bob:pa55@127.0.0.1/x')}`);

    const failure = await expectFailure(source.open(start, signal), 'SOURCE_INVALID');

    assert.ok(!failure.message.includes('pa55'), failure.message);
  });

  it('rejects a sixth redirect', async () => {
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ ...local, connect });
    const before = server.requests.length;

    const failure = await expectFailure(
      source.open(server.url('/hop/6'), signal),
      'SOURCE_INVALID',
    );

    assert.match(failure.message, /redirected more than 5 times \(maxRedirects=5\)/);
    assert.equal(connect.targets.length, 6);
    assert.equal(server.requests.length - before, 6);
    assert.ok(!server.requests.some((head) => head.startsWith('GET /hop/0 ')));
  });
});
