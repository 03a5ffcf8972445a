#!/usr/bin/env node
/**
 * `npm run bench -- --usage-ingest` (or `node bench/dist/src/usage-ingest.js`): how many usage
 * reports per second `tracepack usage serve` stores, each carrying 50 endpoint series (as
 * @tracepack/usage sends them: latency and size histograms per endpoint, method and status,
 * request counts, runtime stats, features), in a real PostgreSQL when one is installed
 * (BENCH_PG_URL, else `startPostgres()` of @tracepack/testing), else the embedded PGlite.
 * Not a timed test: it prints reports/s and the target (>= 1,000 reports/s) with PASS/FAIL.
 *
 * The collector runs as `tracepack usage serve` in its own process; this process is the load:
 * `--concurrency` requests in flight over keep-alive connections, each a distinct report
 * (instance and period), protobuf, made by patching the instance id and the times into one
 * encoded template (so that making the load costs next to nothing). Only answers 200 count;
 * afterwards the rows are counted in the database (every acknowledged report stored, whole).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFixtureUnavailable, startPostgres, type DatabaseServer } from '@tracepack/testing';
import { openDatabase, otlpMetricsTypes } from '@tracepack/usage-collector';

const TARGET = 1000;
const SERIES = 50;
const TRACEPACK_BIN = join(__dirname, '..', '..', '..', 'packages', 'tracepack', 'bin', 'tracepack.js');
const DURATION_BOUNDS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const SIZE_BOUNDS = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

export const USAGE_INGEST_HELP = `Usage: npm run bench -- --usage-ingest [--duration S] [--warmup S] [--concurrency N] [--pglite]

  Reports (${SERIES} endpoint series each) per second stored by tracepack usage serve, in PostgreSQL
  (BENCH_PG_URL, else a server started from the Debian binaries, else the embedded PGlite).

  --duration S      measured seconds                 [10]
  --warmup S        unmeasured seconds before        [3]
  --concurrency N   requests in flight               [16]
  --pglite          the embedded PGlite even when PostgreSQL is installed
`;

interface Options {
  duration: number;
  warmup: number;
  concurrency: number;
  pglite: boolean;
}

function parse(argv: readonly string[]): Options {
  const o: Options = { duration: 10, warmup: 3, concurrency: 16, pglite: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--pglite') {
      o.pglite = true;
      continue;
    }
    const key = ({ '--duration': 'duration', '--warmup': 'warmup', '--concurrency': 'concurrency' } as const)[flag as '--duration'];
    const v = argv[++i];
    if (key === undefined || v === undefined || !/^\d+$/.test(v)) throw new Error(`bench --usage-ingest: unexpected ${flag} ${v ?? ''}\n\n${USAGE_INGEST_HELP}`);
    o[key] = Number(v);
  }
  return o;
}

const MARK_START = 0x1111_2222_3333_4444n;
const MARK_END = 0x5555_6666_7777_8888n;
const MARK_ID = 'abcdef01-2345-4678-89ab-cdef01234567';

/** One encoded report, and where its instance id and times are, to make distinct copies. */
export function template(): { body: Buffer; starts: number[]; ends: number[]; ids: number[] } {
  const point = (attributes: Record<string, string | number>, rest: Record<string, unknown>): Record<string, unknown> => ({
    attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : { intValue: v } })),
    startTimeUnixNano: MARK_START.toString(),
    timeUnixNano: MARK_END.toString(),
    ...rest,
  });
  const series = Array.from({ length: SERIES }, (_, i) => ({
    'tracepack.usage.endpoint': `/api/v1/resource${Math.floor(i / 5)}/:id${i % 5 === 0 ? '' : `/sub${i % 5}`}`,
    'http.request.method': ['GET', 'POST', 'PUT', 'DELETE', 'GET'][i % 5]!,
    'http.response.status_code': [200, 201, 200, 204, 404][i % 5]!,
  }));
  const hist = (bounds: number[], n: number): Record<string, unknown> => {
    const counts = bounds.map(() => 0).concat(0);
    counts[3] = n - 1;
    counts[7] = 1;
    return { count: String(n), sum: n * 3.5, min: 0.3, max: 60, bucketCounts: counts.map(String), explicitBounds: bounds };
  };
  const req = {
    resourceMetrics: [
      {
        resource: {
          attributes: Object.entries({
            'service.instance.id': MARK_ID,
            'tracepack.usage.version': '0.1.0',
            'tracepack.usage.identified': true,
            'tracepack.usage.installation.id': 'f'.repeat(64),
            'os.type': 'linux',
            'host.arch': 'amd64',
            'tracepack.usage.cpu.count': 4,
            'process.runtime.name': 'nodejs',
            'process.runtime.version': '24.22.3',
            'service.name': 'clients-service',
            'service.version': '1.4.2',
          }).map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : { intValue: v } })),
        },
        scopeMetrics: [
          {
            scope: { name: '@tracepack/usage', version: '0.1.0' },
            metrics: [
              { name: 'tracepack.usage.process.memory.heap_used', gauge: { dataPoints: [point({}, { asInt: '52428800' })] } },
              { name: 'tracepack.usage.process.memory.rss', gauge: { dataPoints: [point({}, { asInt: '104857600' })] } },
              { name: 'tracepack.usage.nodejs.eventloop.delay.p99', gauge: { dataPoints: [point({}, { asDouble: 21.5 })] } },
              { name: 'tracepack.usage.nodejs.gc.count', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: ['minor', 'major'].map((k) => point({ 'nodejs.gc.kind': k }, { asInt: '12' })) } },
              { name: 'tracepack.usage.nodejs.gc.duration', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: ['minor', 'major'].map((k) => point({ 'nodejs.gc.kind': k }, { asDouble: 8.5 })) } },
              {
                name: 'tracepack.usage.tracepack.features',
                gauge: { dataPoints: ['tracing.provider.jaeger', 'tracing.sampler.always_on', 'tracing.instrumentation.http', 'tracing.instrumentation.sql', 'tracing.http.routes'].map((f) => point({ 'tracepack.feature': f }, { asInt: '1' })) },
              },
              { name: 'tracepack.usage.service.features', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: ['client.created', 'policy.evaluated'].map((f) => point({ 'tracepack.feature': f }, { asInt: '3' })) } },
            ],
          },
          {
            scope: { name: '@tracepack/usage/http', version: '0.1.0' },
            metrics: [
              { name: 'tracepack.usage.http.requests', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: ['GET', 'POST', 'PUT', 'DELETE'].map((m) => point({ 'http.request.method': m }, { asInt: '100' })) } },
              { name: 'tracepack.usage.http.duration', histogram: { aggregationTemporality: 1, dataPoints: series.map((a) => point(a, hist(DURATION_BOUNDS, 20))) } },
              { name: 'tracepack.usage.http.response.size', histogram: { aggregationTemporality: 1, dataPoints: series.map((a) => point(a, hist(SIZE_BOUNDS, 20))) } },
            ],
          },
        ],
      },
    ],
  };
  const { request: type } = otlpMetricsTypes();
  const body = Buffer.from(type.encode(type.fromObject(req)).finish());
  const find = (needle: Buffer): number[] => {
    const at: number[] = [];
    for (let i = body.indexOf(needle); i !== -1; i = body.indexOf(needle, i + 1)) at.push(i);
    return at;
  };
  const le = (v: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  };
  return { body, starts: find(le(MARK_START)), ends: find(le(MARK_END)), ids: find(Buffer.from(MARK_ID)) };
}

/** The n-th report: instance n % 1000 (of an installation), period n / 1000 (one minute each). */
export function reportBody(t: ReturnType<typeof template>, n: number, runId: number): Buffer {
  const b = Buffer.from(t.body);
  const instance = n % 1000;
  const period = Math.floor(n / 1000);
  const id = `${runId.toString(16).padStart(8, '0')}-0000-4000-8000-${instance.toString(16).padStart(12, '0')}`;
  const start = BigInt(Date.UTC(2026, 0, 1) + period * 60_000) * 1_000_000n;
  for (const at of t.starts) b.writeBigUInt64LE(start, at);
  for (const at of t.ends) b.writeBigUInt64LE(start + 60_000_000_000n, at);
  for (const at of t.ids) b.write(id, at, 'latin1');
  return b;
}

/** CPU seconds (user + system) of a process, from /proc; 0 where there is none. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** The PostgreSQL server listening on `port` and its backends (the collector's connections). */
function postgresPids(port: string): number[] {
  if (!existsSync('/proc')) return [];
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const postmaster = procs.find((d) => {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      return /postgres$/.test(cmd[0] ?? '') && cmd.join(' ').includes(`-p ${port}`);
    } catch {
      return false;
    }
  });
  if (postmaster === undefined) return [];
  const children = procs.filter((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === postmaster;
    } catch {
      return false;
    }
  });
  return [Number(postmaster), ...children.map(Number)];
}

function startServe(env: NodeJS.ProcessEnv, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [TRACEPACK_BIN, 'usage', 'serve', '--port', '0', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/\S+)\/v1\/metrics$/m.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`tracepack usage serve exited (${code}):\n${err}`)));
  });
}

function readLoadAverage(): number | undefined {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

export async function usageIngestMain(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write(USAGE_INGEST_HELP);
    return;
  }
  const o = parse(argv);
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);
  let pg: DatabaseServer | undefined;
  let dataDir: string | undefined;
  let databaseUrl = o.pglite ? undefined : process.env['BENCH_PG_URL'] || undefined;
  if (!o.pglite && databaseUrl === undefined) {
    try {
      pg = await startPostgres({ database: 'tracepack_usage_ingest' });
      databaseUrl = pg.url;
    } catch (err) {
      if (!isFixtureUnavailable(err)) throw err;
      log(`PostgreSQL is not installed (${(err as Error).message.split('.')[0]}): the embedded PGlite`);
    }
  }
  if (databaseUrl === undefined) dataDir = mkdtempSync(join(tmpdir(), 'tracepack-usage-ingest-'));
  const { child, url } = await startServe(databaseUrl ? { DATABASE_URL: databaseUrl } : {}, dataDir ? ['--data-dir', dataDir] : []);
  let store = 'PGlite (embedded, in the collector process)';
  if (databaseUrl) {
    const db = await openDatabase({ databaseUrl, poolSize: 1 });
    const v = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    await db.close();
    store = `PostgreSQL ${v} (${pg ? 'started by the bench from the Debian binaries: fsync off, synchronous_commit off' : 'BENCH_PG_URL'})`;
  }
  try {
    const t = template();
    const runId = Math.floor(Math.random() * 0xffffffff);
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
    const target = new URL(`${url}/v1/metrics`);
    const post = (body: Buffer): Promise<number> =>
      new Promise((resolve) => {
        const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      });
    let next = 0;
    let measuring = false;
    let acked = 0;
    let failed = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const status = await post(reportBody(t, next++, runId));
        if (status === 200) {
          if (measuring) acked++;
        } else failed++;
      }
    };
    log(`usage ingest: ${SERIES} endpoint series per report (${t.body.length} bytes, protobuf), ${o.concurrency} in flight, into ${store}; ${o.warmup} s warm-up, ${o.duration} s measured`);
    const workers = Array.from({ length: o.concurrency }, worker);
    await new Promise((r) => setTimeout(r, o.warmup * 1000));
    // Where the CPU goes, per stored report: the collector, PostgreSQL (its backends), the load.
    const pgPids = databaseUrl ? postgresPids(new URL(databaseUrl).port || '5432') : [];
    const cpu = (): { collector: number; postgres: number; load: number } => ({
      collector: cpuSeconds(child.pid!),
      postgres: pgPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
      load: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    const cpu0 = cpu();
    measuring = true;
    const started = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, o.duration * 1000));
    measuring = false;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu1 = cpu();
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    const rate = acked / seconds;
    const perReport = (k: 'collector' | 'postgres' | 'load'): string => (acked > 0 ? (((cpu1[k] - cpu0[k]) / acked) * 1000).toFixed(2) : '?');
    const cost = `CPU per stored report: collector ${perReport('collector')} ms, PostgreSQL ${pgPids.length > 0 ? `${perReport('postgres')} ms` : '(in the collector)'}, load generator ${perReport('load')} ms; load average ${(readLoadAverage() ?? 0).toFixed(1)}`;

    // Every report answered 200 is in the database, whole.
    let check = '';
    if (databaseUrl) {
      const db = await openDatabase({ databaseUrl, poolSize: 1 });
      const rows = (await db.query<{ reports: number; series: number }>('SELECT (SELECT count(*)::int FROM reports) AS reports, (SELECT count(*)::int FROM endpoint_usage) AS series')).rows[0]!;
      await db.close();
      check = `; stored: ${rows.reports} reports, ${rows.series} endpoint rows (${rows.series === rows.reports * SERIES ? `${SERIES} each` : 'NOT 50 each'}), ${next - failed >= rows.reports ? 'every answered report' : 'MISSING REPORTS'}`;
    }
    process.stdout.write(
      `usage ingest (${cpus().length} CPUs, ${process.version}): ${rate.toFixed(0)} reports/s stored (${(rate * SERIES).toFixed(0)} endpoint rows/s) in ${store}; ` +
        `target >= ${TARGET}: ${rate >= TARGET ? 'PASS' : 'FAIL'}; ${failed} not answered 200${check}\n${cost}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await pg?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  usageIngestMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
