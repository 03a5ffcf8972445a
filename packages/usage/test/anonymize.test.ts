import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { EndpointAnonymizer } from '../src/anonymize';
import { RouteTemplates } from '../src/route-templates';

const SALT = '3f0a8d3e-8c1b-4a52-9d0e-5b7f2f4c9a10';
const h = (s: string): string => createHash('sha256').update(`${s}|${SALT}`).digest('hex');

describe('RouteTemplates', () => {
  it('matches :param, {param} and a trailing *; the most literal template wins', () => {
    const t = new RouteTemplates(['/clients/:id', '/clients/new', '/orders/{id}/lines', '/static/*']);
    assert.equal(t.match('/clients/1235'), '/clients/:id');
    assert.equal(t.match('/clients/new'), '/clients/new');
    assert.equal(t.match('/orders/7/lines'), '/orders/{id}/lines');
    assert.equal(t.match('/static/css/site.css'), '/static/*');
    assert.equal(t.match('/clients/1/x'), undefined);
    assert.equal(t.match('/clients/'), undefined, 'an empty segment is no parameter value');
    assert.deepEqual([...t.literals].sort(), ['clients', 'lines', 'new', 'orders', 'static']);
    assert.equal(t.add('/clients/:id'), false, 'known already');
  });
});

describe('EndpointAnonymizer', () => {
  const a = new EndpointAnonymizer(SALT, ['/clients/:id', '/oauth2/token', '/policies']);

  it('sends a declared route as its template, query dropped', () => {
    assert.deepEqual(a.anonymize('/clients/1235'), { endpoint: '/clients/:id', template: true });
    assert.deepEqual(a.anonymize('/oauth2/token?x=1'), { endpoint: '/oauth2/token', template: true });
  });

  it('hashes every unknown segment with the salt, keeps literals of declared routes', () => {
    assert.equal(a.anonymize('/users/alice').endpoint, `/${h('users')}/${h('alice')}`);
    assert.equal(a.anonymize('/clients/42/secrets').endpoint, `/clients/${h('42')}/${h('secrets')}`);
    assert.equal(a.anonymize('/').endpoint, '/');
  });

  it('keeps query keys and hashes their values, keys sorted', () => {
    assert.equal(a.anonymize('/policies/x?owner=foo').endpoint, `/policies/${h('x')}?owner=${h('foo')}`);
    assert.equal(a.anonymize('/p?b=2&a=1&flag').endpoint, `/${h('p')}?a=${h('1')}&b=${h('2')}&flag`);
    assert.equal(
      a.anonymize('/p?user%40example.com=1').endpoint,
      `/${h('p')}?${h('user@example.com')}=${h('1')}`,
      'a key that is no parameter name is hashed too',
    );
  });

  it('gives another salt other hashes (a new start links nothing to the last)', () => {
    assert.notEqual(new EndpointAnonymizer('other-salt').anonymize('/alice').endpoint, a.anonymize('/alice').endpoint);
  });
});
