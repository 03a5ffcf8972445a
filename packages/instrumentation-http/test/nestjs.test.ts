// NestJS 12 (supported: @nestjs/core >=12 <13) on @nestjs/platform-express and
// @nestjs/platform-fastify. Nothing of NestJS is patched: it registers its routes (controller
// path, RouterModule prefix, method path) as one template on express or fastify, whose own
// sources name the span. NestJS 12 is ESM-only and imports its own express 5 / fastify 5: this
// process (CommonJS, no import-in-the-middle hook) never sees them load, which is the point. The
// express router leaves req.route on the raw request, and fastify instances are hooked from the
// `fastify.initialization` diagnostics channel, not from a module patch.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { defineServerSuite, requireFrom, setupTracing, versionOf } from './helpers';
import type { Running } from './helpers';
import { satisfies } from './semver-lite';
import { SUPPORTED_VERSIONS } from '../src/index';

// Instrumentations first, frameworks after.
const { capture } = setupTracing();

type Nest = Awaited<ReturnType<typeof loadNest>>;

async function loadNest() {
  await import('reflect-metadata');
  const [core, common, platformExpress, platformFastify] = await Promise.all([
    import('@nestjs/core'),
    import('@nestjs/common'),
    import('@nestjs/platform-express'),
    import('@nestjs/platform-fastify'),
  ]);
  return { core, common, platformExpress, platformFastify };
}

/** Applies method decorators the way `@Get(':id')` would (the test build has no decorator syntax). */
function decorate(target: { prototype: object }, method: string, ...decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method)!;
  for (const decorator of decorators.reverse()) decorator(target.prototype, method, descriptor);
}

/** The suite's app: controllers for its routes, and /api/v1 mounted with RouterModule. */
function appModule({ core, common }: Nest): object {
  const { Controller, Get, Module, NotFoundException, Post, Redirect } = common;
  class ClientsController {
    create(): object {
      return { id: 1 }; // POST answers 201 by default
    }
    find(): object {
      return { ok: true };
    }
    redirect(): void {}
  }
  Controller('clients')(ClientsController);
  decorate(ClientsController, 'create', Post());
  decorate(ClientsController, 'find', Get(':id'));
  decorate(ClientsController, 'redirect', Get(':id/redirect'), Redirect('/clients', 302));

  class OtherController {
    missing(): never {
      throw new NotFoundException();
    }
    boom(): never {
      throw new Error('handler failed');
    }
    ok(): string {
      return 'ok';
    }
  }
  Controller()(OtherController);
  decorate(OtherController, 'missing', Get('missing/:id'));
  decorate(OtherController, 'boom', Get('boom/:id'));
  decorate(OtherController, 'ok', Get(['health/alive', 'health/ready', 'metrics']));

  class OrdersController {
    find(): object {
      return { ok: true };
    }
  }
  Controller('orders')(OrdersController);
  decorate(OrdersController, 'find', Get(':orderId'));
  class OrdersModule {}
  Module({ controllers: [OrdersController] })(OrdersModule);

  class AppModule {}
  Module({
    imports: [OrdersModule, core.RouterModule.register([{ path: 'api/v1', module: OrdersModule }])],
    controllers: [ClientsController, OtherController],
  })(AppModule);
  return AppModule;
}

function startNest(adapter: 'express' | 'fastify'): () => Promise<Running> {
  return async () => {
    const nest = await loadNest();
    const httpAdapter =
      adapter === 'express' ? new nest.platformExpress.ExpressAdapter() : new nest.platformFastify.FastifyAdapter();
    // logger: false keeps the 500 case's stack trace off stderr.
    const app = await nest.core.NestFactory.create(appModule(nest), httpAdapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as import('node:net').AddressInfo;
    return { port: address.port, close: () => app.close() };
  };
}

const nestRequire = createRequire(requireFrom('root').resolve('@nestjs/core/package.json'));

describe('NestJS versions', () => {
  it(`@nestjs/core, platform-express and platform-fastify are in the supported range ${SUPPORTED_VERSIONS.nestjs}`, () => {
    for (const name of ['@nestjs/core', '@nestjs/platform-express', '@nestjs/platform-fastify']) {
      const version = versionOf(requireFrom('root'), name);
      assert.match(version, /^12\./, name);
      assert.ok(satisfies(version, SUPPORTED_VERSIONS.nestjs), `${name} ${version}`);
    }
  });

  it('their express and fastify are supported versions of those', () => {
    const express = versionOf(createRequire(nestRequire.resolve('@nestjs/platform-express/package.json')), 'express');
    const fastify = versionOf(createRequire(nestRequire.resolve('@nestjs/platform-fastify/package.json')), 'fastify');
    assert.ok(satisfies(express, SUPPORTED_VERSIONS.express), `express ${express}`);
    assert.ok(satisfies(fastify, SUPPORTED_VERSIONS.fastify), `fastify ${fastify}`);
  });
});

defineServerSuite('NestJS 12 on express (platform-express)', capture, startNest('express'));
defineServerSuite('NestJS 12 on fastify (platform-fastify)', capture, startNest('fastify'));
