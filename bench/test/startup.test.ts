/**
 * One round of the start-up measurement (`--startup`): every variant starts the express app,
 * reports numbers, is traced or not as its label says (runStartup checks each run), and the
 * JSON is written. No assertions on speed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from '../src/options';
import { renderStartupReport, runStartup, STARTUP_VARIANTS } from '../src/startup';

const outDir = mkdtempSync(join(tmpdir(), 'tracepack-bench-startup-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

test('--startup and --startup-runs: defaults, --quick, flags over environment', () => {
  assert.equal(parseOptions([], {}).startup, false);
  assert.equal(parseOptions(['--startup'], {}).startup, true);
  assert.equal(parseOptions([], { BENCH_STARTUP: '1' }).startup, true);
  assert.equal(parseOptions([], {}).startupRuns, 20);
  assert.equal(parseOptions(['--quick'], {}).startupRuns, 5);
  assert.equal(parseOptions(['--startup-runs', '7'], { BENCH_STARTUP_RUNS: '3' }).startupRuns, 7);
  assert.throws(() => parseOptions(['--startup-runs', '0'], {}), /whole number >= 1/);
});

test(
  'start-up: every variant runs, untraced/off/on as labelled, medians and ratios to (a), JSON written',
  { timeout: 120_000 },
  async () => {
    const result = await runStartup({ startupRuns: 1, outDir });
    assert.deepEqual(
      result.rows.map((r) => r.variant),
      STARTUP_VARIANTS.map((v) => v.name),
    );
    for (const row of result.rows) {
      assert.ok(
        row.readyMs > 0 && row.cpuMs > 0 && row.exitMs >= row.readyMs,
        `${row.variant}: ${JSON.stringify(row)}`,
      );
      assert.ok(row.modules > 0, `${row.variant}: modules`);
    }
    const byName = new Map(result.rows.map((r) => [r.variant, r]));
    assert.equal(byName.get('untraced')!.readyRatio, 1);
    // Tracing off under the register entry adds its own two modules and nothing else.
    assert.equal(byName.get('off-require')!.modules, byName.get('untraced')!.modules + 2);
    assert.ok(
      byName.get('on-require')!.modules > byName.get('off-code')!.modules,
      'tracing on loads the SDK and instrumentations',
    );
    assert.ok(existsSync(result.file));
    const table = renderStartupReport(result);
    for (const v of STARTUP_VARIANTS) assert.ok(table.includes(v.label), v.label);
  },
);
