// A collector killed mid-load (SIGKILL) and restarted loses no report it acknowledged: it
// answers 200 only after the report's statement committed. The collector runs as
// `tracepack usage serve` in a child process with the embedded database (the default on a
// fresh machine); the reports acknowledged before the kill are all there after the restart.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../src/index';
import { BIN, encode, exportRequest, resourceMetrics, serve, sha256, tempDir } from './helpers';

const T0 = Date.UTC(2026, 3, 1);

const exited = (child: ChildProcess): Promise<number | string | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode ?? child.signalCode)
    : new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));

describe('a collector killed mid-load loses no acknowledged report', () => {
  it(
    'SIGKILL under load, restart on the same data dir: every report answered 200 is stored, once',
    { timeout: 120_000 },
    async (t) => {
      assert.ok(existsSync(BIN), BIN);
      const tmp = tempDir('usage-collector-crash-');
      t.after(tmp.remove);
      const dataDir = join(tmp.dir, 'db');
      const first = await serve(['--data-dir', dataDir]);
      t.after(() => first.child.kill('SIGKILL'));

      // Load: 8 senders, each report its own instance, until the collector dies.
      const acked: string[] = [];
      let sent = 0;
      let failed = 0;
      let stop = false;
      const sender = async (n: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const id = `2c2c2c2c-0000-4000-8000-${String(n).padStart(4, '0')}${String(i).padStart(8, '0')}`;
          const body = encode(
            exportRequest(
              resourceMetrics({
                instanceId: id,
                installationId: sha256(`crash-${n}`),
                startMs: T0 + i * 60_000,
                endMs: T0 + (i + 1) * 60_000,
                endpoints: Array.from({ length: 10 }, (_, e) => ({ endpoint: `/e${e}/:id`, durations: [1, 2, 3] })),
              }),
            ),
            'protobuf',
          );
          sent++;
          try {
            const res = await fetch(`${first.url}/v1/metrics`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-protobuf' },
              body,
            });
            await res.arrayBuffer();
            if (res.status === 200) acked.push(id);
          } catch {
            failed++;
            if (first.child.exitCode !== null || first.child.signalCode !== null) return;
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, n) => sender(n)));
      // Kill once a good number of reports is in, while requests are in flight.
      while (acked.length < 150) await new Promise((r) => setTimeout(r, 20));
      first.child.kill('SIGKILL');
      await exited(first.child);
      stop = true;
      await load;
      assert.ok(failed > 0 || sent > acked.length, 'requests were in flight when it died');

      // Restarted on the same directory (its lock is stale: the process is gone). What the killed
      // one acknowledged is in the landing table; the restarted one rolls it up (timer, or on stop).
      const second = await serve(['--data-dir', dataDir]);
      t.after(() => second.child.kill('SIGKILL'));
      second.child.kill('SIGTERM');
      const code = await exited(second.child);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(code, 0, second.stderr());
      assert.match(second.stderr(), /stopping/);

      const db = await openDatabase({ dataDir });
      t.after(() => db.close());
      const { rows } = await db.query<{ instance_id: string; series: number; responses: number }>(
        'SELECT instance_id::text, count(*)::int AS series, sum(duration_count)::int AS responses FROM endpoint_usage WHERE instance_id = ANY($1::uuid[]) GROUP BY instance_id',
        [acked],
      );
      const stored = new Map(rows.map((r) => [r.instance_id, r]));
      const missing = acked.filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged reports lost`);
      for (const r of rows) assert.deepEqual([r.series, r.responses], [10, 30], r.instance_id);
      const reports = (
        await db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports WHERE instance_id = ANY($1::uuid[])', [
          acked,
        ])
      ).rows[0]!.n;
      assert.equal(reports, acked.length);
      t.diagnostic(
        `${acked.length} reports acknowledged before the kill, ${sent - acked.length} in flight or refused; all acknowledged ones stored`,
      );
    },
  );
});
