/**
 * A few seconds of the real harness on the hello scenario: every variant produces numbers, the
 * receiver gets spans from the traced ones, the JSON file is written. No performance
 * assertions: this machine's numbers say nothing in a test.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eSkip } from '@tracepack/testing';
import { runBench, variantsFor, type BenchResult } from '../src/harness';
import { parseOptions } from '../src/options';

const outDir = mkdtempSync(join(tmpdir(), 'tracepack-bench-smoke-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

const SHORT = [
  '--scenario',
  'hello',
  '--duration',
  '1',
  '--warmup',
  '0',
  '--rounds',
  '1',
  '--dead-duration',
  '1',
  '--dead-segment',
  '1',
  '--connections',
  '8',
  '--out',
  outDir,
  '--quiet',
];

test(
  'the bench harness runs every hello variant, the floor ones too, and writes its JSON',
  { timeout: 120_000 },
  async () => {
    const opts = parseOptions([...SHORT, '--receiver', 'otlp', '--floor'], {});
    const result = await runBench(opts);
    assert.equal(result.receiver.kind, 'otlp');

    const variants = variantsFor('hello', true);
    assert.ok(variants.includes('floor-context') && variants.includes('floor-sdk'));
    assert.deepEqual(
      result.runs.map((r) => r.variant),
      variants,
    );
    for (const run of result.runs) {
      assert.ok(run.load.requests > 0, `${run.variant}: requests`);
      assert.ok(run.load.rps > 0, `${run.variant}: req/s`);
      assert.ok(Number.isFinite(run.load.p50Ms) && Number.isFinite(run.load.p99Ms), `${run.variant}: latency`);
      assert.ok(Number.isFinite(run.cpuUsPerRequest) && run.cpuUsPerRequest > 0, `${run.variant}: CPU per request`);
      assert.ok(run.rssAfterWarmupMB > 0 && run.rssEndMB > 0, `${run.variant}: RSS`);
      assert.ok(
        Number.isFinite(run.gcUsPerRequest) && run.gcUsPerRequest >= 0 && run.gcCount >= 0,
        `${run.variant}: GC per request`,
      );
    }

    const byName = new Map(result.runs.map((r) => [r.variant, r]));
    for (const name of ['untraced', 'floor-context', 'floor-sdk'] as const)
      assert.equal(byName.get(name)!.spans, undefined, `${name} exports nothing`);
    for (const name of ['otel', 'tracepack', 'tracepack-sampled'] as const) {
      const run = byName.get(name)!;
      assert.ok(run.spans && run.spans.created > 0, `${name}: spans created`);
      assert.ok(run.received !== undefined && run.received > 0, `${name}: the receiver got spans`);
    }
    const tracepack = byName.get('tracepack')!;
    assert.equal(tracepack.received, tracepack.spans!.exported, 'tracepack: received = exported');
    // The layers of the CPU split: (z) records nothing, (r) records every span and sends none,
    // (t) exports from its thread to the receiver.
    assert.equal(byName.get('tracepack-unsampled')!.spans!.created, 0, '(z): ratio 0.0 records no span');
    const record = byName.get('tracepack-record')!;
    assert.ok(
      record.spans!.created > 0 && record.spans!.exported === record.spans!.created,
      '(r): every span recorded and handed to the null exporter',
    );
    assert.equal(record.receiverBatches, undefined, '(r): no receiver');
    const thread = byName.get('tracepack-thread')!;
    assert.ok(
      thread.received! > 0 && thread.received === thread.spans!.exported,
      '(t): the receiver got what the export thread sent',
    );
    const dead = byName.get('tracepack-dead')!;
    assert.equal(dead.received, 0);
    assert.ok(dead.segments && dead.segments.length === 1);

    assert.ok(existsSync(result.file), 'the JSON file was written');
    const written = JSON.parse(readFileSync(result.file, 'utf8')) as BenchResult;
    assert.equal(written.runs.length, variants.length);
    assert.ok(written.summary.rows.every((r) => r.rps > 0));
    assert.ok(written.summary.targets.length > 0);
    const split = written.summary.cpuSplit;
    assert.ok(split, 'the CPU split is in the summary');
    assert.deepEqual(
      split.layers.map((l) => l.layer),
      ['unsampled path', 'span recording', 'export', 'total added'],
    );
    const [unsampled, recording, exporting, total] = split.layers;
    assert.ok(
      Math.abs(unsampled!.cpuUs + recording!.cpuUs + exporting!.cpuUs - total!.cpuUs) < 1e-9,
      'the layers add up to (c) - (a)',
    );
  },
);

// Jaeger is the receiver of `npm run bench` when installed: its counts (the collector's own
// metrics) must match what the tracers exported, and killing it must be a dead backend.
test(
  'with Jaeger as the receiver, Jaeger stores every span the tracers exported',
  { timeout: 180_000, skip: e2eSkip() },
  async () => {
    const result = await runBench(parseOptions([...SHORT, '--receiver', 'jaeger'], {}));
    assert.equal(result.receiver.kind, 'jaeger');
    const byName = new Map(result.runs.map((r) => [r.variant, r]));
    for (const name of ['otel', 'tracepack', 'tracepack-sampled'] as const) {
      const run = byName.get(name)!;
      assert.ok(run.spans && run.spans.created > 0, `${name}: spans created`);
      assert.equal(run.received, run.spans.exported ?? run.spans.created, `${name}: Jaeger stored what was exported`);
    }
    assert.ok(byName.get('tracepack')!.receiverCpuUs! > 0, 'Jaeger CPU is read from /proc');
    const dead = byName.get('tracepack-dead')!;
    assert.equal(dead.received, 0);
    assert.ok(dead.load.requests > 0, 'the service kept answering with Jaeger killed');
  },
);
