// `tracepack usage serve` through the real `tracepack` bin: prints the URL, takes reports
// into the data dir it is given, stops on SIGTERM with 0; bad flags exit 1 with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../src/index';
import { BIN, count, exportRequest, resourceMetrics, send, serve, sha256, tempDir } from './helpers';

describe('tracepack usage serve', () => {
  it(
    'serves with an API key from the environment, stores in --data-dir, stops on SIGTERM',
    { timeout: 60_000 },
    async (t) => {
      const tmp = tempDir('usage-collector-serve-');
      t.after(tmp.remove);
      const dataDir = join(tmp.dir, 'data');
      const { child, url, stderr } = await serve(['--data-dir', dataDir], { TRACEPACK_USAGE_API_KEY: 'k1,k2' });
      t.after(() => child.kill('SIGKILL'));
      assert.match(stderr(), /tracepack usage serve: taking OTLP\/HTTP metric reports on .*API key required.*PGlite/);
      const id = '3d3d3d3d-0000-4000-8000-000000000001';
      const request = exportRequest(
        resourceMetrics({
          instanceId: id,
          installationId: sha256('serve'),
          startMs: Date.UTC(2026, 4, 1),
          endMs: Date.UTC(2026, 4, 1, 1),
          endpoints: [{ endpoint: '/s', durations: [1] }],
        }),
      );
      assert.equal((await send(url, request)).status, 401);
      assert.equal((await send(url, request, 'protobuf', { 'x-api-key': 'k2' })).status, 200);
      const code = await new Promise<number | null>((r) => {
        child.once('exit', (c) => r(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0);
      const db = await openDatabase({ dataDir });
      t.after(() => db.close());
      assert.equal(await count(db, 'endpoint_usage', 'instance_id = $1', [id]), 1);
    },
  );

  it('--help prints the flags; a bad flag exits 1 naming it', () => {
    const help = spawnSync(process.execPath, [BIN, 'usage', 'serve', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--database-url URL/);
    assert.match(help.stdout, /--rollup-interval MS/);
    const bad = spawnSync(process.execPath, [BIN, 'usage', 'serve', '--prot', '1'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown argument "--prot"; allowed: --port, --host/);
    const port = spawnSync(process.execPath, [BIN, 'usage', 'serve', '--port', 'eighty'], { encoding: 'utf8' });
    assert.equal(port.status, 1);
    assert.match(port.stderr, /--port expects a whole number, instead got "eighty"/);
    const interval = spawnSync(process.execPath, [BIN, 'usage', 'serve', '--rollup-interval', 'often'], {
      encoding: 'utf8',
    });
    assert.equal(interval.status, 1);
    assert.match(interval.stderr, /--rollup-interval expects a whole number, instead got "often"/);
  });
});
