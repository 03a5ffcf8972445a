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
 * encoded template (so that making the load costs next to nothing). Only answers 200 count.
 * An answer 200 means landed (committed to `landed_reports`); the collector's timer rolls
 * landed reports into the tables meanwhile (`--rollup-interval`). After the window the bench
 * rolls up what is left, timed apart (the roll-up's own rate and CPU per report), counts the
 * rows (every acknowledged report stored, whole), and measures the floor of each remaining cost
 * on the same report in this process: decode, filter, JSON, and PostgreSQL's part of a landing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFixtureUnavailable, startPostgres, type DatabaseServer } from '@tracepack/testing';
import {
  decodeProtobufjsRequest,
  decodeRequest,
  ingest,
  landedColumns,
  landedStatements,
  openDatabase,
  otlpMetricsTypes,
  rollUpLanded,
  type Database,
} from '@tracepack/usage-collector';

const TARGET = 1000;
const SERIES = 50;
const TRACEPACK_BIN = join(__dirname, '..', '..', '..', 'packages', 'tracepack', 'bin', 'tracepack.js');
const DURATION_BOUNDS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const SIZE_BOUNDS = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

export const USAGE_INGEST_HELP = `Usage: npm run bench -- --usage-ingest [--duration S] [--warmup S] [--concurrency N] [--rollup-interval MS] [--async-commit] [--pglite]

  Reports (${SERIES} endpoint series each) per second stored by tracepack usage serve, in PostgreSQL
  (BENCH_PG_URL, else a server started from the Debian binaries, else the embedded PGlite).

  --duration S      measured seconds                 [10]
  --warmup S        unmeasured seconds before        [3]
  --concurrency N   requests in flight               [16]
  --rollup-interval MS  the collector's landing roll-up timer (0: none while loading; the
                    backlog is rolled up after the measured window, timed apart)  [1000]
  --async-commit    synchronous_commit off in the server the bench starts (as the previous
                    round measured; the default is on: an answer 200 after a synchronous commit)
  --pglite          the embedded PGlite even when PostgreSQL is installed
`;

interface Options {
  duration: number;
  warmup: number;
  concurrency: number;
  rollupInterval: number;
  pglite: boolean;
  asyncCommit: boolean;
}

function parse(argv: readonly string[]): Options {
  const o: Options = {
    duration: 10,
    warmup: 3,
    concurrency: 16,
    rollupInterval: 1000,
    pglite: false,
    asyncCommit: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--pglite' || flag === '--async-commit') {
      o[flag === '--pglite' ? 'pglite' : 'asyncCommit'] = true;
      continue;
    }
    const key = (
      {
        '--duration': 'duration',
        '--warmup': 'warmup',
        '--concurrency': 'concurrency',
        '--rollup-interval': 'rollupInterval',
      } as const
    )[flag as '--duration'];
    const v = argv[++i];
    if (key === undefined || v === undefined || !/^\d+$/.test(v))
      throw new Error(`bench --usage-ingest: unexpected ${flag} ${v ?? ''}\n\n${USAGE_INGEST_HELP}`);
    o[key] = Number(v);
  }
  return o;
}

const MARK_START = 0x1111_2222_3333_4444n;
const MARK_END = 0x5555_6666_7777_8888n;
const MARK_ID = 'abcdef01-2345-4678-89ab-cdef01234567';

/** One encoded report, and where its instance id and times are, to make distinct copies. */
export function template(): { body: Buffer; starts: number[]; ends: number[]; ids: number[] } {
  const point = (
    attributes: Record<string, string | number>,
    rest: Record<string, unknown>,
  ): Record<string, unknown> => ({
    attributes: Object.entries(attributes).map(([key, v]) => ({
      key,
      value: typeof v === 'string' ? { stringValue: v } : { intValue: v },
    })),
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
    return {
      count: String(n),
      sum: n * 3.5,
      min: 0.3,
      max: 60,
      bucketCounts: counts.map(String),
      explicitBounds: bounds,
    };
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
          }).map(([key, v]) => ({
            key,
            value:
              typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : { intValue: v },
          })),
        },
        scopeMetrics: [
          {
            scope: { name: '@tracepack/usage', version: '0.1.0' },
            metrics: [
              {
                name: 'tracepack.usage.process.memory.heap_used',
                gauge: { dataPoints: [point({}, { asInt: '52428800' })] },
              },
              {
                name: 'tracepack.usage.process.memory.rss',
                gauge: { dataPoints: [point({}, { asInt: '104857600' })] },
              },
              {
                name: 'tracepack.usage.nodejs.eventloop.delay.p99',
                gauge: { dataPoints: [point({}, { asDouble: 21.5 })] },
              },
              {
                name: 'tracepack.usage.nodejs.gc.count',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: ['minor', 'major'].map((k) => point({ 'nodejs.gc.kind': k }, { asInt: '12' })),
                },
              },
              {
                name: 'tracepack.usage.nodejs.gc.duration',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: ['minor', 'major'].map((k) => point({ 'nodejs.gc.kind': k }, { asDouble: 8.5 })),
                },
              },
              {
                name: 'tracepack.usage.tracepack.features',
                gauge: {
                  dataPoints: [
                    'tracing.provider.jaeger',
                    'tracing.sampler.always_on',
                    'tracing.instrumentation.http',
                    'tracing.instrumentation.sql',
                    'tracing.http.routes',
                  ].map((f) => point({ 'tracepack.feature': f }, { asInt: '1' })),
                },
              },
              {
                name: 'tracepack.usage.service.features',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: ['client.created', 'policy.evaluated'].map((f) =>
                    point({ 'tracepack.feature': f }, { asInt: '3' }),
                  ),
                },
              },
            ],
          },
          {
            scope: { name: '@tracepack/usage/http', version: '0.1.0' },
            metrics: [
              {
                name: 'tracepack.usage.http.requests',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: ['GET', 'POST', 'PUT', 'DELETE'].map((m) =>
                    point({ 'http.request.method': m }, { asInt: '100' }),
                  ),
                },
              },
              {
                name: 'tracepack.usage.http.duration',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: series.map((a) => point(a, hist(DURATION_BOUNDS, 20))),
                },
              },
              {
                name: 'tracepack.usage.http.response.size',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: series.map((a) => point(a, hist(SIZE_BOUNDS, 20))),
                },
              },
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

/**
 * The floor of each remaining cost, measured in this process on the same report: protobuf
 * decode (the collector's reader, and protobufjs for comparison), privacy filter and rows
 * (ingest), the landed row's columns (array literals), the roll-up's Node work per report (200
 * landed rows into one statement's parameters), and PostgreSQL's part of landing one (the same
 * INSERT the collector runs, from here: no HTTP, no decode).
 */
async function floors(url: string, t: ReturnType<typeof template>): Promise<string> {
  const body = reportBody(t, 0, 0x0f100f);
  const time = (n: number, fn: () => void): number => {
    for (let i = 0; i < 20; i++) fn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    return Number(process.hrtime.bigint() - t0) / 1e6 / n;
  };
  const n = 300;
  let request = decodeRequest(body, 'protobuf');
  const decode = time(n, () => (request = decodeRequest(body, 'protobuf')));
  // The decoder the collector used before its hand-written reader, for comparison (not on the hot path).
  const protobufjs = time(n, () => decodeProtobufjsRequest(body));
  let batch = ingest(request).batch;
  const rows = time(n, () => (batch = ingest(request).batch));
  let columns = landedColumns(batch);
  const land = time(n, () => (columns = landedColumns(batch)));
  // 200 distinct reports (as a roll-up transaction takes them): their literals concatenated.
  const landed = Array.from({ length: 200 }, (_, i) => {
    const [b, c] = landedColumns(ingest(decodeRequest(reportBody(t, i, 0x0f100f), 'protobuf')).batch);
    return { id: i, batch: b, columns: c };
  });
  const rollNode = time(10, () => landedStatements(landed)) / landed.length;
  // One connection (poolSize 1): its backend's CPU is PostgreSQL's part of a landing insert.
  const one = await openDatabase({ databaseUrl: url, poolSize: 1 });
  const pid = Number((await one.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  const b0 = cpuSeconds(pid);
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    await one.query('INSERT INTO landed_reports (batch, columns) VALUES ($1, $2)', columns, 'bench_land');
  const wall = Number(process.hrtime.bigint() - w0) / 1e6 / n;
  const backend = ((cpuSeconds(pid) - b0) / n) * 1000;
  await one.query('DELETE FROM landed_reports');
  await one.close();
  return (
    `floors (this process, same report, landed as ${((columns[0].length + columns[1].length) / 1024).toFixed(1)} KiB): protobuf decode ${decode.toFixed(3)} ms (protobufjs ${protobufjs.toFixed(3)} ms), privacy filter + rows ${rows.toFixed(3)} ms, ` +
    `landed columns (array literals) ${land.toFixed(3)} ms; roll-up's Node work (200 landed rows into one statement's parameters) ${rollNode.toFixed(3)} ms; ` +
    `landing INSERT alone ${wall.toFixed(3)} ms wall, PostgreSQL backend CPU ${backend.toFixed(3)} ms (its backend, from /proc)`
  );
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
  const child = spawn(process.execPath, [TRACEPACK_BIN, 'usage', 'serve', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
      // The test server commits asynchronously; the collector is measured as deployed: an
      // answer 200 after a synchronous commit (fsync stays off: the disk is not measured).
      const admin = await openDatabase({ databaseUrl, poolSize: 1 });
      await admin.query(
        `ALTER DATABASE tracepack_usage_ingest SET synchronous_commit = ${o.asyncCommit ? 'off' : 'on'}`,
      );
      await admin.close();
    } catch (err) {
      if (!isFixtureUnavailable(err)) throw err;
      log(`PostgreSQL is not installed (${(err as Error).message.split('.')[0]}): the embedded PGlite`);
    }
  }
  if (databaseUrl === undefined) dataDir = mkdtempSync(join(tmpdir(), 'tracepack-usage-ingest-'));
  const { child, url } = await startServe(databaseUrl ? { DATABASE_URL: databaseUrl } : {}, [
    ...(dataDir ? ['--data-dir', dataDir] : []),
    '--rollup-interval',
    String(o.rollupInterval),
  ]);
  let store = 'PGlite (embedded, in the collector process)';
  if (databaseUrl) {
    const db = await openDatabase({ databaseUrl, poolSize: 1 });
    const v = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    await db.close();
    store = `PostgreSQL ${v} (${pg ? `started by the bench from the Debian binaries: fsync off, synchronous_commit ${o.asyncCommit ? 'off' : 'on'}` : 'BENCH_PG_URL'})`;
  }
  try {
    const t = template();
    const runId = Math.floor(Math.random() * 0xffffffff);
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
    const target = new URL(`${url}/v1/metrics`);
    const post = (body: Buffer): Promise<number> =>
      new Promise((resolve) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
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
    log(
      `usage ingest: ${SERIES} endpoint series per report (${t.body.length} bytes, protobuf), ${o.concurrency} in flight, into ${store}; ${o.warmup} s warm-up, ${o.duration} s measured`,
    );
    const workers = Array.from({ length: o.concurrency }, worker);
    await new Promise((r) => setTimeout(r, o.warmup * 1000));
    // Where the CPU goes, per stored report: the collector, PostgreSQL (its backends), the load.
    // PostgreSQL's backends come and go (a pool closes idle connections, the roll-up opens one):
    // each snapshot lists them again; a backend new since the last one counts whole.
    const pgPort = databaseUrl ? new URL(databaseUrl).port || '5432' : undefined;
    type Snapshot = { collector: number; postgres: Map<number, number>; load: number };
    const snapshot = (): Snapshot => ({
      collector: cpuSeconds(child.pid!),
      postgres: new Map((pgPort ? postgresPids(pgPort) : []).map((pid) => [pid, cpuSeconds(pid)])),
      load: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    const used = (a: Snapshot, b: Snapshot): { collector: number; postgres: number; load: number } => {
      let postgres = 0;
      for (const [pid, s] of b.postgres) postgres += s - (a.postgres.get(pid) ?? 0);
      return { collector: b.collector - a.collector, postgres, load: b.load - a.load };
    };
    const cpu = snapshot;
    // The bench's own connection: the landing backlog, the roll-up of what is left, the check.
    const db: Database | undefined = databaseUrl ? await openDatabase({ databaseUrl, poolSize: 2 }) : undefined;
    const pending = async (): Promise<number> =>
      db ? (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM landed_reports')).rows[0]!.n : 0;
    const pending0 = await pending();
    const cpu0 = cpu();
    measuring = true;
    const started = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, o.duration * 1000));
    measuring = false;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu1 = cpu();
    const load1 = readLoadAverage() ?? 0;
    const pending1 = await pending();
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    const rate = acked / seconds;
    // Reports the collector's timer rolled into the tables during the window: landed minus
    // what the backlog grew by.
    // (Requests in flight at the window's edges make this off by a few; never below 0.)
    const rolledInWindow = Math.max(0, acked - (pending1 - pending0));
    const ms = (cpuSeconds: number, n: number): string => (n > 0 ? ((cpuSeconds / n) * 1000).toFixed(2) : '?');
    const window = used(cpu0, cpu1);
    const perReport = (k: 'collector' | 'postgres' | 'load'): string => ms(window[k], acked);
    const cost =
      `CPU per acknowledged report (landing${o.rollupInterval > 0 ? " and the timer's roll-ups" : ' only'}): collector ${perReport('collector')} ms, ` +
      `PostgreSQL ${pgPort ? `${perReport('postgres')} ms` : '(in the collector)'}, load generator ${perReport('load')} ms; load average ${load1.toFixed(1)}`;

    let rollup = '';
    let total = '';
    let check = '';
    if (db) {
      // The backlog rolled up now, alone (the load has stopped): what a roll-up costs per report.
      const backlog = await pending();
      const c0 = cpu();
      const t0 = process.hrtime.bigint();
      const r = await rollUpLanded(db, { wait: true });
      const rollSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const c1 = cpu();
      const u = used(c0, c1);
      // The collector's timer keeps taking turns with this roll-up (each transaction takes the
      // lock anew): all the CPU of this phase is roll-up work, for all the reports it cleared.
      const rolled = Math.max(1, backlog - (await pending()));
      // Everything one report costs, landed and rolled up: the window's CPU (every landing, and
      // the timer's roll-ups) plus the roll-up alone's CPU per report for what the window left
      // landed (its backlog growth); on this machine's cores, the rate it allows at most.
      const rolledPerReport = (u.collector + u.postgres + u.load) / rolled;
      const totalMs =
        ((window.collector + window.postgres + window.load + rolledPerReport * Math.max(0, pending1 - pending0)) /
          Math.max(1, acked)) *
        1000;
      total = `\ntotal CPU per report, landed and rolled up (collector, PostgreSQL, load generator): ${totalMs.toFixed(2)} ms -> capacity ${cpus().length} cores / total = ${((cpus().length * 1000) / totalMs).toFixed(0)} reports/s sustained (target ${TARGET}: ${(cpus().length * 1000) / totalMs >= TARGET ? 'reached' : 'not reached'})`;
      rollup =
        `\nlanding backlog: ${pending0} before the window, ${pending1} after (the timer rolled up ${rolledInWindow} of ${acked} landed in the window, ${(rolledInWindow / seconds).toFixed(0)}/s); ` +
        `rolling up the remaining ${backlog} (${r.landed} by the bench, the rest by the collector's timer between its transactions): ${rollSeconds.toFixed(2)} s (${(rolled / rollSeconds).toFixed(0)} reports/s), CPU per report: ` +
        `Node (bench and collector) ${ms(u.load + u.collector, rolled)} ms, PostgreSQL ${ms(u.postgres, rolled)} ms, all ${ms(u.collector + u.postgres + u.load, rolled)} ms; load average ${(readLoadAverage() ?? 0).toFixed(1)}`;
      // Every report answered 200 is in the analytical tables, whole.
      const rows = (
        await db.query<{ reports: number; series: number; left: number }>(
          'SELECT (SELECT count(*)::int FROM reports) AS reports, (SELECT count(*)::int FROM endpoint_usage) AS series, (SELECT count(*)::int FROM landed_reports) AS left',
        )
      ).rows[0]!;
      check = `; stored: ${rows.reports} reports, ${rows.series} endpoint rows (${rows.series === rows.reports * SERIES ? `${SERIES} each` : 'NOT 50 each'}), ${next - failed >= rows.reports ? 'every answered report' : 'MISSING REPORTS'}, ${rows.left} left landed`;
      rollup += `\n${await floors(databaseUrl!, t)}`;
      await db.close();
    }
    process.stdout.write(
      `usage ingest (${cpus().length} CPUs, ${process.version}): ${rate.toFixed(0)} reports/s acknowledged, i.e. committed to PostgreSQL's landing table (${(rate * SERIES).toFixed(0)} endpoint series/s) in ${store}; ` +
        `target >= ${TARGET}: ${rate >= TARGET ? 'PASS' : 'FAIL'}; ${failed} not answered 200${check}\n${cost}${rollup}${total}\n`,
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
