// ESM and CommonJS users can both load every published package: `attw --pack` packs each
// one as npm would publish it and resolves every entry point from CJS and from ESM (node16);
// the main entry is dual (an ESM entry for `import`, CommonJS for `require`), and both give
// the one instance of the package (scripts/esm-wrappers.mjs says why).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const attw = join(root, 'node_modules', '.bin', 'attw');
const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    },
  }))
  .filter(({ pkg }) => pkg.private !== true);

describe('published package shape (attw --pack, node16 from CJS and ESM)', () => {
  it('covers every public package', () => {
    assert.ok(published.length >= 9, published.map((p) => p.pkg.name).join(', '));
  });
  for (const { dir, pkg } of published) {
    it(`${pkg.name} resolves from CommonJS and ESM with its types`, () => {
      const r = spawnSync(attw, ['--pack', join(root, 'packages', dir), '--profile', 'node16', '--format', 'ascii'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      const main = r.stdout.split('***')[0]!;
      assert.match(main, /node16 \(from CJS\): 🟢 \(CJS\)/, main);
      assert.match(main, /node16 \(from ESM\): 🟢 \(ESM\)/, main);
    });
    it(`${pkg.name}: import and require give the same exports, one instance`, () => {
      const script = [
        "import { createRequire } from 'node:module';",
        `const esm = await import(${JSON.stringify(pkg.name)});`,
        `const cjs = createRequire(${JSON.stringify(join(root, 'package.json'))})(${JSON.stringify(pkg.name)});`,
        "const names = Object.keys(cjs).filter((n) => n !== '__esModule').sort();",
        'const same = names.every((n) => esm[n] === cjs[n]);',
        'console.log(JSON.stringify({ names, esmNames: Object.keys(esm).sort(), same }));',
      ].join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        names: string[];
        esmNames: string[];
        same: boolean;
      };
      assert.deepEqual(out.esmNames, out.names);
      assert.ok(out.same, 'an ESM export is not the CommonJS one');
    });
  }
});
