// What a user gets from npm, proven from the tarballs: after a build, `npm pack` every public
// package (its prepack checks the build), install the tarballs into a fresh app outside the
// workspace with express, pg and bcrypt from the registry (the lockfile's versions), and run that
// app under `node --import @tracepack/node/register` (ESM) and `node --require
// @tracepack/node/register` (CommonJS) against PostgreSQL (PGlite over the wire protocol) and an
// OTLP receiver. Nothing may resolve into the repository: a file missing from a tarball, a
// dependency declared only in the workspace, a wrong `files` or `exports` entry all fail here,
// where the workspace's symlinks would hide them.
//
// The install is kept between runs (under the OS temp dir, keyed by the tarballs' contents and
// the versions installed next to them), so an unchanged tree only packs; npm's own cache makes a
// changed one a few seconds.
import { isCI, startOtlpReceiver, startPglite } from '@tracepack/testing';
import type { DatabaseServer, DecodedSpan, OtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
}
const published = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest,
  }))
  .filter(({ pkg }) => pkg.private !== true);
const versionOf = (dir: string): string => published.find((p) => p.dir === dir)!.pkg.version;

/** The versions our lockfile gives the test workspace, so the install is the one we test with. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`test/node_modules/${name}`]?.version ?? lock.packages[`node_modules/${name}`]?.version;
  assert.ok(version, `${name} is not in package-lock.json`);
  return version;
}
const THIRD_PARTY = ['express', 'pg', 'bcrypt']
  .map((name) => `${name}@${lockedVersion(name)}`)
  .concat('@opentelemetry/api@1.10.0');

/**
 * The environment of the npm and node children: none of the npm_* variables `npm test` sets
 * (npm_config_local_prefix would point npm back at the workspace), no NODE_OPTIONS, and no
 * tracing settings of the developer's shell.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|NODE_PATH$|TRACING_|OTEL_)/i.test(key) && !keep.has(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command without blocking this process (PGlite starts meanwhile); rejects unless it exits 0. */
function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${cwd}) failed (${signal ?? `exit ${code}`}):\n${stdout}\n${stderr}`,
          ),
        );
    });
  });
}
const npm = (args: string[], cwd: string) => run('npm', args, cwd);
const node = (args: string[]) => run(process.execPath, args, root);

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Why this suite cannot run here, or undefined. Only a missing npm: everything else fails. */
function unavailable(): string | undefined {
  const r = spawnSync('npm', ['--version'], { env: cleanEnv(), encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const reason = `npm pack is impossible here (npm --version: ${r.error?.message ?? `exit ${r.status}`}); install npm to run the consumer test`;
  if (isCI()) throw new Error(`CI never skips the consumer test: ${reason}`);
  return reason;
}

interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Runs node in the app's directory without blocking this process (the receiver lives here). */
function runApp(
  appDir: string,
  args: string[],
  env: Record<string, string>,
  onLine: (line: string) => void,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: appDir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// The same service twice, ESM and CommonJS, with no tracing code: one route that hashes a
// password and runs a statement holding a literal and two bound values, all planted so that the
// test can look for them in what was exported. It prints its port, answers one request, prints
// where its modules came from, then closes and exits (tracepack flushes on the way out).
const APP_BODY = `
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const app = express();
app.get('/clients/:id', async (req, res, next) => {
  try {
    const hash = await bcrypt.hash('planted-password-0x5e', 4);
    const { rows } = await pool.query(
      "SELECT $1::text AS id, length($2::text) AS n, 'planted-literal-0x1f' AS kind",
      [req.params.id, hash],
    );
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
server.once('request', (req, res) => {
  res.on('finish', () => {
    console.log(JSON.stringify({ report: {
      resolved: {
        '@tracepack/node': require.resolve('@tracepack/node'),
        '@tracepack/node/register': require.resolve('@tracepack/node/register'),
        '@tracepack/instrumentation-http': require.resolve('@tracepack/instrumentation-http'),
        '@tracepack/provider-otlp': require.resolve('@tracepack/provider-otlp'),
        ...ESM_RESOLVED,
      },
      loaded: Object.keys(require.cache),
    } }));
    server.close();
    void pool.end();
  });
});
`;
const APP_MJS = `import express from 'express';
import pg from 'pg';
import bcrypt from 'bcrypt';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ESM_RESOLVED = { 'import @tracepack/node': fileURLToPath(import.meta.resolve('@tracepack/node')) };
${APP_BODY}`;
const APP_CJS = `'use strict';
const express = require('express');
const pg = require('pg');
const bcrypt = require('bcrypt');

const ESM_RESOLVED = {};
${APP_BODY}`;

interface AppReport {
  resolved: Record<string, string>;
  loaded: string[];
}

const skip = unavailable();

describe('the published tarballs, installed into an app outside the workspace', { skip, timeout: 300_000 }, () => {
  let packDir: string;
  let packed: PackResult[];
  let appDir: string;
  let appReal: string;
  let db: DatabaseServer;
  let receiver: OtlpReceiver;
  let servers: Promise<[DatabaseServer, OtlpReceiver]> | undefined;
  const timings: string[] = [];

  before(async () => {
    // PostgreSQL and the receiver start while npm packs and installs.
    const serversStarted = Date.now();
    servers = Promise.all([startPglite(), startOtlpReceiver()]);
    servers.then(
      () => timings.push(`PGlite and the OTLP receiver started in ${seconds(serversStarted)}`),
      () => {},
    );

    // The build first, as `npm run build` does it for the public packages: one tsc and one
    // checker for all of them, where ten prepacks would each start their own. After a build
    // (`npm test` makes one) this only checks.
    let started = Date.now();
    const dirs = published.map(({ dir }) => join(root, 'packages', dir));
    await node([join(root, 'scripts', 'write-versions.mjs')]);
    await node([require.resolve('typescript/bin/tsc'), '-b', ...dirs]);
    await node([join(root, 'scripts', 'esm-wrappers.mjs'), ...dirs]);
    timings.push(`build of the public packages: ${seconds(started)}`);

    packDir = mkdtempSync(join(tmpdir(), 'tracepack-tarballs-'));
    // One npm process packs them all: each prepack checks its build (and would make it in a
    // clean clone), one after the other, so no two builds of a shared reference ever race.
    const workspaces = published.flatMap(({ dir }) => ['-w', `packages/${dir}`]);
    started = Date.now();
    packed = JSON.parse(
      (await npm(['pack', '--json', '--pack-destination', packDir, ...workspaces], root)).stdout,
    ) as PackResult[];
    timings.push(`npm pack (with prepack) of ${packed.length} packages: ${seconds(started)}`);

    // The install, reused while the tarballs and the third-party versions are the same.
    const tarballs = packed.map((p) => p.filename).sort();
    const npmVersion = (await npm(['--version'], root)).stdout.trim();
    const key = sha256(
      JSON.stringify({
        npmVersion,
        THIRD_PARTY,
        tarballs: tarballs.map((f) => [f, sha256(readFileSync(join(packDir, f)))]),
      }),
    );
    appDir = join(tmpdir(), 'tracepack-consumer-app');
    const keyFile = join(appDir, '.tracepack-install-key');
    if (
      !existsSync(keyFile) ||
      readFileSync(keyFile, 'utf8') !== key ||
      !existsSync(join(appDir, 'node_modules', '@tracepack', 'node'))
    ) {
      const fresh = `${appDir}.${process.pid}.tmp`;
      rmSync(fresh, { recursive: true, force: true });
      mkdirSync(join(fresh, 'tarballs'), { recursive: true });
      for (const f of tarballs) copyFileSync(join(packDir, f), join(fresh, 'tarballs', f));
      writeFileSync(
        join(fresh, 'package.json'),
        `${JSON.stringify({ name: 'tracepack-consumer-app', version: '1.0.0', private: true }, null, 2)}\n`,
      );
      started = Date.now();
      // --prefer-offline: what npm's cache holds is used without asking the registry again (the
      // versions are exact); a cold cache still downloads.
      await npm(
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          ...tarballs.map((f) => `./tarballs/${f}`),
          ...THIRD_PARTY,
        ],
        fresh,
      );
      timings.push(`npm install into a fresh ${appDir}: ${seconds(started)}`);
      writeFileSync(join(fresh, '.tracepack-install-key'), key);
      rmSync(appDir, { recursive: true, force: true });
      renameSync(fresh, appDir);
    } else {
      timings.push(`npm install: reused ${appDir} (same tarballs, same versions)`);
    }
    writeFileSync(join(appDir, 'app.mjs'), APP_MJS);
    writeFileSync(join(appDir, 'app.cjs'), APP_CJS);
    appReal = realpathSync(appDir);
    [db, receiver] = await servers;
  });

  after(async () => {
    const started = await servers?.catch(() => undefined);
    await started?.[1].stop();
    await started?.[0].stop();
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  });

  it('packs every public package with its build, LICENSE, README and CHANGELOG, and no tests', (t) => {
    for (const line of timings) t.diagnostic(line);
    assert.deepEqual(packed.map((p) => p.name).sort(), published.map((p) => p.pkg.name).sort());
    for (const p of packed) {
      const files = new Set(p.files.map((f) => f.path));
      for (const f of [
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/version.js',
        'dist/esm/index.mjs',
        'dist/esm/index.d.mts',
      ]) {
        assert.ok(files.has(f), `${p.name}: the tarball has no ${f}`);
      }
      const strays = [...files].filter((f) => /(^|\/)test\/|\.test\.|tsbuildinfo|\.tgz$/.test(f));
      assert.deepEqual(strays, [], `${p.name} ships test or build-state files`);
    }
    const node = new Set(packed.find((p) => p.name === '@tracepack/node')!.files.map((f) => f.path));
    for (const f of ['register.mjs', 'register.d.mts', 'dist/src/register.js'])
      assert.ok(node.has(f), `@tracepack/node: no ${f}`);
  });

  it('installs real copies: @tracepack/* resolve inside the app, no symlink into the repository', () => {
    const modules = join(appDir, 'node_modules');
    for (const { pkg } of published) {
      const dir = join(modules, ...pkg.name.split('/'));
      assert.ok(existsSync(join(dir, 'package.json')), `${pkg.name} is not installed`);
      assert.ok(!lstatSync(dir).isSymbolicLink(), `${pkg.name} is a symlink`);
      assert.ok(
        realpathSync(dir).startsWith(`${appReal}${sep}node_modules${sep}`),
        `${pkg.name} is at ${realpathSync(dir)}`,
      );
      assert.equal((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest).version, pkg.version);
    }
    const script = "console.log(require('node:fs').realpathSync(require.resolve('@tracepack/node')))";
    const r = spawnSync(process.execPath, ['-e', script], { cwd: appDir, env: cleanEnv(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(appReal, 'node_modules', '@tracepack', 'node', 'dist', 'src', 'index.js'));
  });

  it('the tracepack command runs from the installed tarball', () => {
    const r = spawnSync(process.execPath, [join(appDir, 'node_modules', '.bin', 'tracepack'), 'config', 'help'], {
      cwd: appDir,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /TRACING_PROVIDER/);
  });

  for (const [flag, file, service] of [
    ['--import', 'app.mjs', 'consumer-esm'],
    ['--require', 'app.cjs', 'consumer-cjs'],
  ] as const) {
    it(`node ${flag} @tracepack/node/register ${file}: route-named SERVER span, bcrypt and SQL children, nothing planted`, async () => {
      receiver.reset();
      let port: number | undefined;
      let report: AppReport | undefined;
      let answered: Promise<Response> | undefined;
      const app = runApp(
        appDir,
        [flag, '@tracepack/node/register', file],
        {
          DATABASE_URL: db.url,
          TRACING_PROVIDER: 'otlp',
          TRACING_SERVICE_NAME: service,
          TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
        },
        (line) => {
          if (!line.startsWith('{')) return;
          const msg = JSON.parse(line) as { port?: number; report?: AppReport };
          if (msg.port !== undefined) {
            port = msg.port;
            answered = fetch(`http://127.0.0.1:${port}/clients/planted-id-0x2a?token=planted-query-0x3c`);
          }
          if (msg.report) report = msg.report;
        },
      );
      const { status, stderr } = await app;
      assert.equal(status, 0, stderr);
      assert.ok(port !== undefined && answered, `the app never listened:\n${stderr}`);
      const res = await answered;
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { id: 'planted-id-0x2a', n: 60, kind: 'planted-literal-0x1f' });
      assert.doesNotMatch(stderr, /DEP0\d+|DeprecationWarning|ExperimentalWarning/);

      // Every module the app loaded came from its own node_modules.
      assert.ok(report, 'the app printed no report');
      for (const [what, path] of Object.entries(report.resolved)) {
        assert.ok(
          realpathSync(path).startsWith(`${appReal}${sep}node_modules${sep}`),
          `${what} resolves to ${realpathSync(path)}`,
        );
      }
      assert.ok(
        report.loaded.some((f) => f.endsWith(join('@tracepack', 'node', 'dist', 'src', 'register.js'))),
        'the register entry was not loaded',
      );
      const outside = report.loaded.filter((f) => !realpathSync(f).startsWith(`${appReal}${sep}`));
      assert.deepEqual(outside, [], 'modules loaded from outside the app');

      const spans = (await receiver.waitForSpans(3, 10_000)).filter((s) => s.serviceName === service);
      const names = JSON.stringify(spans.map((s) => `${s.kind} ${s.name}`));
      const server = spans.find((s) => s.kind === 'SERVER');
      assert.ok(server, names);
      assert.equal(server.name, 'GET /clients/:id');
      assert.equal(server.attributes['http.route'], '/clients/:id');
      assert.equal(server.parentSpanId, undefined);
      assert.deepEqual(server.scope, {
        name: '@tracepack/instrumentation-http',
        version: versionOf('instrumentation-http'),
      });

      const hash = spans.find((s) => s.name === 'bcrypt.hash');
      assert.ok(hash, names);
      assert.equal(hash.parentSpanId, server.spanId);
      assert.equal(hash.attributes['bcrypt.work_factor'], 4);
      assert.deepEqual(hash.scope, {
        name: '@tracepack/instrumentation-bcrypt',
        version: versionOf('instrumentation-bcrypt'),
      });

      const sql = spans.find(
        (s) => s.attributes['db.system.name'] === 'postgresql' && typeof s.attributes['db.query.text'] === 'string',
      );
      assert.ok(sql, names);
      assert.equal(sql.parentSpanId, server.spanId);
      assert.equal(sql.kind, 'CLIENT');
      assert.equal(sql.attributes['db.query.text'], 'SELECT $1::text AS id, length($2::text) AS n, ? AS kind');

      // No planted value anywhere: not the path id, the query, the password, the literal, the hash.
      const everything = JSON.stringify(spans, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      for (const planted of ['planted', '$2b$04$'])
        assert.ok(!everything.includes(planted), `"${planted}" was exported`);
      assert.ok(
        spans.every((s: DecodedSpan) => s.traceId === server.traceId),
        'one trace',
      );
    });
  }
});
