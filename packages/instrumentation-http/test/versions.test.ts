// Supported framework versions, stated in code, README and tests alike: the ranges are written
// once more here, and the code (SUPPORTED_VERSIONS, the module hooks) and the README's table must
// say the same. Each framework's own test checks that the versions it runs are in its range.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createHttpInstrumentations, SUPPORTED_VERSIONS } from '../src/index';

const EXPECTED_RANGES = { express: '>=4 <6', fastify: '>=4 <6', koa: '>=2 <4', hapi: '>=21 <22', nestjs: '>=12 <13' };

/** The README's name for each framework, as its table's first column writes it. */
const README_NAMES: Record<keyof typeof EXPECTED_RANGES, string> = {
  express: 'express',
  fastify: 'fastify',
  koa: 'koa + @koa/router',
  hapi: '@hapi/hapi',
  nestjs: 'NestJS (`@nestjs/core`)',
};

describe('supported versions: code, README and tests agree', () => {
  it('SUPPORTED_VERSIONS', () => {
    assert.deepEqual(SUPPORTED_VERSIONS, EXPECTED_RANGES);
  });

  it('the module hooks patch koa and hapi within those ranges, and nothing else', () => {
    const [server] = createHttpInstrumentations({ outgoing: false });
    try {
      const modules = (server as unknown as { getModuleDefinitions(): { name: string; supportedVersions: string[] }[] })
        .getModuleDefinitions()
        .map((m) => [m.name, m.supportedVersions]);
      assert.deepEqual(modules, [
        ['koa', [EXPECTED_RANGES.koa]],
        ['@hapi/hapi', [EXPECTED_RANGES.hapi]],
      ]);
    } finally {
      server!.disable();
    }
  });

  it("the README's frameworks table states the same ranges", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const [key, range] of Object.entries(EXPECTED_RANGES)) {
      const row = `| ${README_NAMES[key as keyof typeof EXPECTED_RANGES]} | \`${range}\` |`;
      assert.ok(readme.includes(row), `README row starting ${row}`);
    }
  });
});
