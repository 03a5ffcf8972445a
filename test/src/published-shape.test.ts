// ESM and CommonJS users can both load every published package: `attw --pack` packs each
// one as npm would publish it and resolves every entry point from CJS and from ESM (node16).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const attw = join(root, 'node_modules', '.bin', 'attw');
const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; private?: boolean } }))
  .filter(({ pkg }) => pkg.private !== true);

describe('published package shape (attw --pack, node16 from CJS and ESM)', () => {
  it('covers every public package', () => {
    assert.ok(published.length >= 9, published.map((p) => p.pkg.name).join(', '));
  });
  for (const { dir, pkg } of published) {
    it(`${pkg.name} resolves from CommonJS and ESM with its types`, () => {
      const r = spawnSync(attw, ['--pack', join(root, 'packages', dir), '--profile', 'node16', '--format', 'ascii'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    });
  }
});
