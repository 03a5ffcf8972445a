// The privacy filter's verdicts on values it must drop and on values @tracepack/usage really
// sends, which it must keep.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, filterEndpoint, looksRandom } from '../src/index';
import { sha256 } from './helpers';

describe('privacy filter: classify()', () => {
  const drop: [string, string][] = [
    ['jane.doe@example.com', 'email'],
    ['contact: jane+tag@sub.example.co.uk', 'email'],
    ['jane.doe%40example.com', 'email'],
    ['Bearer abcdef123456', 'bearer_token'],
    ['bearer%20s3cr3t-t0k3n-value', 'bearer_token'],
    ['ghp_1234567890abcdefghijABCDEFGHIJ123456', 'bearer_token'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'bearer_token'],
    ['AKIAIOSFODNN7EXAMPLE', 'bearer_token'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt'],
    ['10.1.2.3', 'ipv4'],
    ['client 192.168.0.17 said', 'ipv4'],
    ['255.255.255.255', 'ipv4'],
    ['2001:db8::8a2e:370:7334', 'ipv6'],
    ['fe80::1%eth0', 'ipv6'],
    ['::ffff:10.0.0.1', 'ipv4'],
    ['::1', 'ipv6'],
    ['550e8400-e29b-41d4-a716-446655440000', 'random_string'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'random_string'],
    ['aXbQrTzKpLmNoWvYcDeF', 'random_string'],
    ['4111111111111111', 'random_string'],
    ['session_Zx81kLq02mNn7Pz', 'random_string'],
  ];
  for (const [value, kind] of drop)
    it(`drops ${JSON.stringify(value)} as ${kind}`, () => assert.equal(classify(value), kind));

  const keep = [
    '0.0.0.0',
    '::',
    sha256('x'),
    '/clients/:id',
    'GET',
    '_OTHER',
    'tracing.provider.jaeger',
    'tracing.http.capture_request_headers',
    'tracing.instrumentation.bcrypt',
    'client.created',
    'clientCreatedSuccessfullyEvent',
    'nodejs',
    '24.22.3',
    '1.4.2-beta.3',
    'linux',
    'amd64',
    'clients-service',
    '@tracepack/usage',
    '2026-01-01T00:00:00.000Z',
    'github_actions',
    'warming_up',
    'production',
    'oauth2-callback-v2',
  ];
  for (const value of keep) it(`keeps ${JSON.stringify(value)}`, () => assert.equal(classify(value), undefined));

  it('a hex SHA-256 is not a random string; other long hex is', () => {
    assert.equal(looksRandom(sha256('a')), false);
    assert.equal(looksRandom(sha256('a').slice(0, 40)), true);
  });
});

describe('privacy filter: filterEndpoint()', () => {
  const h = sha256('segment');
  it('keeps route templates and hashed paths as they are', () => {
    for (const e of [
      '/clients/:id',
      '/static/*',
      `/${h}/${h}`,
      `/policies?owner=${h}`,
      `/search?${h}=${h}&page`,
      '/',
    ]) {
      assert.deepEqual(filterEndpoint(e), { endpoint: e, dropped: [] }, e);
    }
  });
  it('replaces each segment, query key or value that looks like personal data by :dropped, and says what it was', () => {
    assert.deepEqual(filterEndpoint('/users/jane@example.com/orders'), {
      endpoint: '/users/:dropped/orders',
      dropped: ['email'],
    });
    assert.deepEqual(filterEndpoint('/ip/10.0.0.1/x/2001:db8::1'), {
      endpoint: '/ip/:dropped/x/:dropped',
      dropped: ['ipv4', 'ipv6'],
    });
    assert.deepEqual(filterEndpoint(`/a?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij&${h}=1`), {
      endpoint: `/a?token=:dropped&${h}=1`,
      dropped: ['jwt'],
    });
    assert.deepEqual(filterEndpoint('/files/550e8400-e29b-41d4-a716-446655440000'), {
      endpoint: '/files/:dropped',
      dropped: ['random_string'],
    });
  });
});
