#!/usr/bin/env node
// The `prepack` of every public package (`"prepack": "node ../../scripts/prepack.mjs"`): npm
// runs it in the package's directory before `npm pack` and `npm publish` — `npm pack` inside
// the package, `npm pack -w packages/<name>` at the root, `attw --pack`, `changeset publish` —
// so a tarball always holds a build of its current sources, even in a clean clone where
// nothing was built yet. In order:
//
// 1. scripts/write-versions.mjs: src/version.ts of every public package (a referenced package
//    is compiled too, and must not keep an old version);
// 2. `tsc -b` of the package, which builds the projects it references first; incremental, so
//    a package whose build is up to date costs only the up-to-date check;
// 3. build outputs under dist/src whose source file is gone are deleted: tsc never removes
//    them, and a tarball must not ship a module that src no longer has;
// 4. scripts/esm-wrappers.mjs for this package: its dist/esm entry.
//
// Output goes to stderr only: `npm pack --json` prints its report on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
if (pkg.private === true || relative(join(root, 'packages'), pkgDir).includes('..')) {
  throw new Error(`prepack: run it from a public package directory under packages/, not ${pkgDir}`);
}

function run(what, args) {
  const r = spawnSync(process.execPath, args, { cwd: pkgDir, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    console.error(`prepack ${pkg.name}: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

/** Files of dist/src (`x.js`, `x.js.map`, `x.d.ts`, `x.d.ts.map`) with no src/x.ts left. */
function orphans(distDir, srcDir) {
  if (!existsSync(distDir)) return [];
  const out = [];
  for (const name of readdirSync(distDir)) {
    const path = join(distDir, name);
    if (statSync(path).isDirectory()) {
      out.push(...orphans(path, join(srcDir, name)));
      continue;
    }
    const base = /^(.*?)(\.d\.ts|\.js)(\.map)?$/.exec(name)?.[1];
    if (base !== undefined && !['.ts', '.tsx'].some((ext) => existsSync(join(srcDir, `${base}${ext}`)))) out.push(path);
  }
  return out;
}

const tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
run('scripts/write-versions.mjs', [join(root, 'scripts', 'write-versions.mjs')]);
run('tsc -b', [tsc, '-b', pkgDir]);
for (const file of orphans(join(pkgDir, 'dist', 'src'), join(pkgDir, 'src'))) {
  rmSync(file, { force: true }); // force: another pack of the same package may have removed it
  console.error(`prepack ${pkg.name}: removed ${relative(pkgDir, file)} (its source is gone)`);
}
run('scripts/esm-wrappers.mjs', [join(root, 'scripts', 'esm-wrappers.mjs'), pkgDir]);
