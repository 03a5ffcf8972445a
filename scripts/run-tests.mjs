#!/usr/bin/env node
// The one test command (`npm test`): builds every project, runs every compiled *.test.js under
// node's own test runner with the Node.js that runs this script (the whole suite: default tier,
// end-to-end tier, bench smoke tests), then the default tier again on each other supported
// Node.js line (scripts/node-versions.sh) found in the cache that scripts/install-node.sh
// fills. CI (`.ci/run`) runs it on Node 24 with 22 and 26 installed, so every supported line
// is tested; a developer without the other lines gets one line saying how to add them, and CI
// fails instead of skipping them. It ends with one total line over every run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
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
const e2eDir = join(root, 'test', 'dist', 'e2e');
const benchDir = join(root, 'bench', 'dist', 'test');
dists.push(join(root, 'test', 'dist', 'src'), e2eDir, benchDir);
// Optional filter: `npm test -- config` runs only files whose path contains "config".
const filters = process.argv.slice(2);
const files = dists
  .flatMap((d) => walk(d, []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The end-to-end tier and the bench run on the main line only (CI: Node 24).
const defaultTier = files.filter((f) => !f.startsWith(e2eDir) && !f.startsWith(benchDir));

/** Runs the files under `node` with the spec reporter, echoing its output; resolves to its counts. */
function runSuite(node, label, suiteFiles) {
  console.log(`\n▶ ${label}: ${suiteFiles.length} test files\n`);
  return new Promise((resolve) => {
    const child = spawn(node, ['--test', '--test-reporter=spec', ...suiteFiles], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on('close', (code, signal) => {
      const count = (word) => Number(new RegExp(`ℹ ${word} (\\d+)`).exec(tail)?.[1] ?? 0);
      resolve({
        label,
        code: code ?? (signal ? 1 : 0),
        pass: count('pass'),
        fail: count('fail'),
        skipped: count('skipped'),
        cancelled: count('cancelled'),
      });
    });
  });
}

/** The other supported lines: `NODE_LINES=(24 22 26)` and `22) echo 22.23.5 ;;` in node-versions.sh. */
function otherLines() {
  const text = readFileSync(join(root, 'scripts', 'node-versions.sh'), 'utf8');
  const lines = /NODE_LINES=\(([^)]*)\)/.exec(text)[1].trim().split(/\s+/);
  const cache = join(process.env.TRACEPACK_CACHE ?? join(homedir(), '.cache', 'tracepack'), 'node');
  const current = process.versions.node.split('.')[0];
  return lines
    .filter((line) => line !== current)
    .map((line) => {
      const version = new RegExp(`^\\s*${line}\\) echo ([0-9.]+) ;;`, 'm').exec(text)[1];
      return { line, version, bin: join(cache, version, 'bin', 'node') };
    });
}

// Any common spelling (CI=true, CI=1, CI=TRUE): the same rule as @tracepack/testing's isCI.
const ci = /^(1|true|yes|on)$/i.test(process.env.CI?.trim() ?? '');
const results = [await runSuite(process.execPath, `Node.js ${process.versions.node}: every tier`, files)];
const missing = [];
for (const { line, version, bin } of otherLines()) {
  if (!existsSync(bin)) {
    missing.push(`${line} (${version})`);
    continue;
  }
  if (defaultTier.length > 0) results.push(await runSuite(bin, `Node.js ${version}: default tier`, defaultTier));
}
if (missing.length > 0) {
  console.log(
    `\n﹣ not run on Node.js ${missing.join(', ')}: not installed (bash scripts/install-node.sh installs them)`,
  );
}

console.log('\n▶ summary');
for (const r of results)
  console.log(`  ${r.code === 0 ? '✔' : '✖'} ${r.label}: ${r.pass} passed, ${r.fail} failed, ${r.skipped} skipped`);
const total = results.reduce(
  (t, r) => ({ pass: t.pass + r.pass, fail: t.fail + r.fail, skipped: t.skipped + r.skipped }),
  { pass: 0, fail: 0, skipped: 0 },
);
const failed = results.some((r) => r.code !== 0) || (ci && missing.length > 0);
if (ci && missing.length > 0) console.log(`  ✖ CI must test every supported line; missing: ${missing.join(', ')}`);
console.log(`total: ${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
