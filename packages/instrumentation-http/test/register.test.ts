// Route names where users run: a service with no tracing code, started with
// `node --import @tracepack/node/register app.mjs` (ESM, import-in-the-middle's hooks) or
// `node --require @tracepack/node/register app.cjs` (CommonJS), exporting over OTLP to a receiver
// here. Every supported major of every framework, both module systems: the one SERVER span is
// named after the route, carries http.route, and neither holds the id or the query string. The
// child's stderr carries no deprecation warning (DEP0...), e.g. for the loader it registered.
// Needs @tracepack/node built (`npx tsc -b packages/node`).
import { startOtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAppDir, PACKAGE_DIR, runNode } from './child-app';
import { requireFrom } from './helpers';

interface RouteCase {
  /** FRAMEWORK for the fixture. */
  framework: string;
  label: string;
  /** Where the versions under test resolve from (requireFrom). */
  from: Parameters<typeof requireFrom>[0];
  /** What the fixture imports by name. */
  packages: string[];
  route: string;
  /** Only route-app.mjs has it (a form of import). */
  esmOnly?: boolean;
}

const NEST = ['reflect-metadata', '@nestjs/core', '@nestjs/common'];

const CASES: RouteCase[] = [
  { framework: 'express', label: 'express 5', from: 'root', packages: ['express'], route: '/users/:userId' },
  { framework: 'express', label: 'express 4', from: 'express-4', packages: ['express'], route: '/users/:userId' },
  { framework: 'fastify', label: 'fastify 5', from: 'root', packages: ['fastify'], route: '/users/:userId' },
  { framework: 'fastify', label: 'fastify 4', from: 'fastify-4', packages: ['fastify'], route: '/users/:userId' },
  {
    framework: 'koa',
    label: 'koa 3 + @koa/router 14',
    from: 'root',
    packages: ['koa', '@koa/router'],
    route: '/users/:userId',
  },
  {
    framework: 'koa',
    label: 'koa 2 + @koa/router 13',
    from: 'koa-2',
    packages: ['koa', '@koa/router'],
    route: '/users/:userId',
  },
  {
    framework: 'hapi',
    label: 'hapi 21 (Hapi.server())',
    from: 'root',
    packages: ['@hapi/hapi'],
    route: '/users/{userId}',
  },
  {
    framework: 'hapi-named',
    label: 'hapi 21 (import { Server }, new Server())',
    from: 'root',
    packages: ['@hapi/hapi'],
    route: '/users/{userId}',
    esmOnly: true,
  },
  {
    framework: 'nest-express',
    label: 'NestJS 12 on express',
    from: 'root',
    packages: [...NEST, '@nestjs/platform-express'],
    route: '/users/:userId',
  },
  {
    framework: 'nest-fastify',
    label: 'NestJS 12 on fastify',
    from: 'root',
    packages: [...NEST, '@nestjs/platform-fastify'],
    route: '/users/:userId',
  },
];

const MODULE_SYSTEMS = [
  { name: 'ESM', flag: '--import', fixture: 'route-app.mjs' },
  { name: 'CJS', flag: '--require', fixture: 'route-app.cjs' },
] as const;

for (const system of MODULE_SYSTEMS) {
  // Each test has its own child, directory and receiver: they may run side by side.
  describe(`${system.name}: node ${system.flag} @tracepack/node/register ${system.fixture}`, { concurrency: 4 }, () => {
    for (const c of CASES) {
      if (c.esmOnly && system.name !== 'ESM') continue;
      it(`${c.label}: one SERVER span "GET ${c.route}" with http.route, no id, no query`, async (t) => {
        const app = createAppDir([system.fixture, 'route-apps.cjs'], c.packages, requireFrom(c.from));
        t.after(() => app.remove());
        const receiver = await startOtlpReceiver();
        t.after(() => receiver.stop());

        // cwd: where `@tracepack/node/register` resolves from, as in the user's project.
        const child = await runNode(
          [system.flag, '@tracepack/node/register', `${app.path}/${system.fixture}`],
          {
            FRAMEWORK: c.framework,
            TRACING_PROVIDER: 'otlp',
            TRACING_SERVICE_NAME: 'route-app',
            TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
            TRACING_INSTRUMENTATIONS_HTTP_OUTGOING: 'false',
          },
          PACKAGE_DIR,
        );
        assert.equal(child.status, 0, child.stderr);
        assert.deepEqual(JSON.parse(child.stdout.trim()), { status: 200 });
        assert.doesNotMatch(child.stderr, /DEP0\d+/, 'no deprecation warning');

        await receiver.waitForSpans(1);
        const servers = receiver.spans.filter((s) => s.kind === 'SERVER');
        assert.equal(servers.length, 1, JSON.stringify(receiver.spans.map((s) => `${s.kind} ${s.name}`)));
        const span = servers[0]!;
        assert.equal(span.serviceName, 'route-app');
        assert.equal(span.name, `GET ${c.route}`);
        assert.equal(span.attributes['http.route'], c.route);
        assert.equal(span.attributes['http.response.status_code'], 200);
        const leaked = JSON.stringify({ name: span.name, attributes: span.attributes });
        assert.ok(!leaked.includes('84573'), `the id reaches no name or attribute: ${leaked}`);
        assert.ok(!leaked.includes('planted-secret') && !leaked.includes('token'), `no query string: ${leaked}`);
      });
    }
  });
}
