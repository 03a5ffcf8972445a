#!/usr/bin/env node
// The one test command (`npm test`): builds every project, then runs every compiled
// *.test.js under node's own test runner. Node 20 has no glob support in `--test`,
// hence this small walker.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync('npx', ['tsc', '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const dists = [];
for (const group of ['packages', 'examples']) {
  for (const name of existsSync(join(root, group)) ? readdirSync(join(root, group)) : []) {
    dists.push(join(root, group, name, 'dist', 'test'));
  }
}
dists.push(join(root, 'test', 'dist', 'src'), join(root, 'test', 'dist', 'e2e'), join(root, 'bench', 'dist', 'test'));
// Optional filter: `npm test -- config` runs only files whose path contains "config".
const filters = process.argv.slice(2);
const files = dists.flatMap((d) => walk(d, [])).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
process.exit(res.status ?? 1);
