// What npm shows and ships for every public package, besides its code (whose shape
// published-shape.test.ts checks and consumer-tarballs.test.ts installs): built before it is
// packed, LICENSE, README and CHANGELOG in the tarball, the repository it comes from, public
// access for the scoped ones, side effects declared; and the changesets setup that versions
// them all together.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const REPOSITORY_URL = 'git+https://github.com/tracepack/tracepack.git';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string };
  sideEffects?: boolean | string[];
  files?: string[];
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: unknown;
  scripts?: Record<string, string>;
}

const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const published = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(read(join('packages', dir, 'package.json'))) as Manifest }))
  .filter(({ pkg }) => pkg.private !== true);

/** Every file path an `exports` map points to (conditions and subpaths flattened). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** Whether `files` ships `path` (`./dist/src/x.js` is shipped by `dist/src`). */
function shipped(files: string[], path: string): boolean {
  const p = path.replace(/^\.\//, '');
  return p === 'package.json' || files.some((f) => p === f || p.startsWith(`${f.replace(/\/$/, '')}/`));
}

describe('published package metadata', () => {
  const license = read('LICENSE');

  it('the root LICENSE is the Apache-2.0 text with our copyright line', () => {
    assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    assert.match(license, /\n {3}Copyright \d{4} The tracepack Authors\n/);
    assert.doesNotMatch(license, /\[yyyy\]|\[name of copyright owner\]/);
  });

  for (const { dir, pkg } of published) {
    describe(pkg.name, () => {
      it('ships LICENSE (the root one), README.md and CHANGELOG.md', () => {
        assert.equal(pkg.license, 'Apache-2.0');
        assert.equal(
          read(join('packages', dir, 'LICENSE')),
          license,
          `packages/${dir}/LICENSE differs from the root LICENSE`,
        );
        assert.ok(existsSync(join(root, 'packages', dir, 'README.md')), `packages/${dir}/README.md is missing`);
        for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md'])
          assert.ok(pkg.files?.includes(file), `files lacks ${file}`);
      });

      it('has a CHANGELOG.md entry for its version', () => {
        const changelog = read(join('packages', dir, 'CHANGELOG.md'));
        assert.ok(changelog.startsWith(`# ${pkg.name}\n`), 'CHANGELOG.md starts with the package name');
        const versions = [...changelog.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
        assert.equal(
          versions[0],
          pkg.version,
          `the newest CHANGELOG.md entry is ${versions[0]}, package.json says ${pkg.version}`,
        );
      });

      it('names its repository and directory, and is public', () => {
        assert.deepEqual(pkg.repository, { type: 'git', url: REPOSITORY_URL, directory: `packages/${dir}` });
        if (pkg.name.startsWith('@')) assert.deepEqual(pkg.publishConfig, { access: 'public' });
      });

      it('builds before it is packed, and ships everything its entry points need', () => {
        assert.equal(pkg.scripts?.prepack, 'node ../../scripts/prepack.mjs');
        const files = pkg.files ?? [];
        for (const dist of ['dist/src', 'dist/esm']) assert.ok(files.includes(dist), `files lacks ${dist}`);
        const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {}), ...exportTargets(pkg.exports)].filter(
          (t): t is string => t !== undefined,
        );
        for (const target of targets)
          assert.ok(shipped(files, target), `${target} is not in files (${files.join(', ')})`);
      });

      it('declares its side effects: none, or the files that have them', () => {
        assert.ok(
          pkg.sideEffects === false || Array.isArray(pkg.sideEffects),
          'sideEffects is false or a list of files',
        );
        for (const file of Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []) {
          assert.ok(shipped(pkg.files ?? [], file), `${file} is not in files`);
          const source = file.startsWith('./dist/src/')
            ? file.replace(/^\.\/dist\/src\//, './src/').replace(/\.js$/, '.ts')
            : file;
          assert.ok(existsSync(join(root, 'packages', dir, source)), `${file}: no ${source}`);
        }
      });
    });
  }

  it('@tracepack/node lists its register entries as side effects', () => {
    const node = published.find((p) => p.pkg.name === '@tracepack/node')!.pkg;
    assert.ok(Array.isArray(node.sideEffects));
    for (const file of ['./register.mjs', './dist/src/register.js']) assert.ok(node.sideEffects.includes(file), file);
  });

  it('changesets releases every public package together, publicly, from main', () => {
    const config = JSON.parse(read('.changeset/config.json')) as {
      fixed: string[][];
      access: string;
      baseBranch: string;
    };
    assert.equal(config.access, 'public');
    assert.equal(config.baseBranch, 'main');
    assert.equal(config.fixed.length, 1);
    assert.deepEqual([...config.fixed[0]!].sort(), published.map((p) => p.pkg.name).sort());
  });

  it('the root scripts add changesets, version (regenerating src/version.ts) and release', () => {
    const scripts = (JSON.parse(read('package.json')) as Manifest).scripts ?? {};
    assert.equal(scripts.changeset, 'changeset');
    assert.match(scripts['version-packages'] ?? '', /^changeset version && node scripts\/write-versions\.mjs/);
    assert.match(scripts.release ?? '', /changeset publish/);
    // Generated sources first (versions, validators), then the compiler.
    assert.match(scripts.build ?? '', /^node scripts\/write-versions\.mjs && (?:node [\w/.-]+\.mjs && )*tsc -b/);
  });
});
