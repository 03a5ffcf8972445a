// Canaries planted everywhere a request can carry personal data; none may reach any byte of
// any report or any header of a report request, in either wire format. The anonymized
// endpoint of a canary path is checked against SHA-256 computed here, independently.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { startOtlpMetricsReceiver } from '@tracepack/testing';
import { startUsage } from '../src';
import { startApp } from './helpers';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const canary = (where: string): string => `canary-${where}-${randomBytes(6).toString('hex')}`;

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  describe(`privacy (${protocol})`, () => {
    it('no canary of paths, query values, headers, bodies, cookies, user agents, user or org ids reaches a report', async (t) => {
      const c = {
        segment: canary('segment'),
        nested: canary('nested'),
        templated: canary('templated'),
        query: canary('query'),
        queryKey: `${canary('key')} with spaces`,
        header: canary('header'),
        auth: canary('auth'),
        body: canary('body'),
        cookie: canary('cookie'),
        agent: canary('agent'),
        user: canary('user'),
        org: canary('org'),
        feature: `${canary('feature')}@example.com`,
        otlpHeader: canary('otlp-env-header'),
      };
      const receiver = await startOtlpMetricsReceiver();
      const app = await startApp((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'set-cookie': `s=${c.cookie}` }).end(`echo ${c.body}`));
      });
      // The service's own collector headers must not travel to the usage endpoint.
      process.env.OTEL_EXPORTER_OTLP_HEADERS = `authorization=${c.otlpHeader}`;
      process.env.OTEL_EXPORTER_OTLP_METRICS_HEADERS = `x-leak=${c.otlpHeader}`;
      const usage = startUsage({
        handleSignals: false,
        logger: () => undefined,
        argv: [],
        routes: ['/clients/:id'],
        env: {
          SQA_ENDPOINT: receiver.url,
          SQA_PROTOCOL: protocol,
          SQA_REPORT_INTERVAL: '1h',
          SQA_IDENTIFY_AFTER: '0s',
          SQA_API_KEY: 'the-api-key',
        },
      });
      t.after(async () => {
        delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
        delete process.env.OTEL_EXPORTER_OTLP_METRICS_HEADERS;
        await usage.shutdown();
        await app.close();
        await receiver.stop();
      });
      const headers = {
        'x-custom': c.header,
        authorization: `Bearer ${c.auth}`,
        cookie: `session=${c.cookie}`,
        'user-agent': c.agent,
      };
      for (const path of [
        `/${c.segment}`,
        `/clients/${c.nested}/x`,
        `/clients/${c.templated}`,
        `/search?owner=${c.query}&${encodeURIComponent(c.queryKey)}=1`,
      ]) {
        const res = await fetch(app.url + path, { method: 'POST', headers, body: JSON.stringify({ secret: c.body }) });
        await res.text();
      }
      usage.activity('login', { userId: c.user, orgId: c.org });
      usage.feature(c.feature); // an e-mail where a feature name belongs: refused, never sent
      await usage.flush();
      await receiver.waitForReports(1);

      const planted = Object.values(c);
      const wire = Buffer.concat(receiver.reports.map((r) => r.body));
      for (const value of [...planted, usage.salt!, '127.0.0.1']) {
        assert.equal(wire.includes(value), false, `a report carries ${value}`);
      }
      for (const req of receiver.requests) {
        const sent = JSON.stringify(req.headers);
        for (const value of planted)
          assert.equal(sent.includes(value), false, `a report request's headers carry ${value}`);
        assert.equal(req.headers['x-api-key'], 'the-api-key', 'the configured api key header is sent');
      }

      // The anonymized endpoints, computed here with the salt the reporter drew.
      const salt = usage.salt!;
      const endpoints = new Set(
        receiver.reports
          .flatMap((r) => r.points)
          .map((p) => p.attributes['tracepack.usage.endpoint'])
          .filter((e) => e !== undefined),
      );
      assert.ok(endpoints.has(`/${sha256(`${c.segment}|${salt}`)}`), [...endpoints].join('\n'));
      assert.ok(
        endpoints.has(`/clients/${sha256(`${c.nested}|${salt}`)}/${sha256(`x|${salt}`)}`),
        'a literal of a declared template stays, unknown segments are hashed',
      );
      assert.ok(endpoints.has('/clients/:id'), 'a path matching a declared route is sent as the template');
      const query = [
        `owner=${sha256(`${c.query}|${salt}`)}`,
        `${sha256(`${c.queryKey}|${salt}`)}=${sha256(`1|${salt}`)}`,
      ]
        .sort()
        .join('&');
      assert.ok(
        endpoints.has(`/${sha256(`search|${salt}`)}?${query}`),
        `query keys kept (hashed when not a plain name), values hashed: ${[...endpoints].join('\n')}`,
      );
      const activity = receiver.reports.flatMap((r) => r.points).find((p) => p.metric === 'tracepack.usage.activity');
      assert.equal(
        activity?.attributes['enduser.id.sha256'],
        sha256(`${c.user}|${salt}`),
        'user ids: salted SHA-256 (the installation salt; here none is set, so the salt of this start)',
      );
      assert.equal(activity?.attributes['org.id.sha256'], sha256(`${c.org}|${salt}`));
    });
  });
}
