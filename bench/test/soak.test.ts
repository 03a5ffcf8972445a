/**
 * The soak (`--soak`) in seconds instead of minutes: it runs, the backend flaps (killed, then
 * started again on the same URL, under load), and every span is received or counted, exactly,
 * in every segment. No assertion on speed. Also its options, and its checks on made-up
 * segments (a leak, a lost span, a slow dead backend must each FAIL).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eSkip } from '@tracepack/testing';
import { parseOptions } from '../src/options';
import { P99_BOUND_FACTOR } from '../src/report';
import {
  runSoak,
  segmentSpans,
  type RssSample,
  type SoakResult,
  type SoakSegment,
  type SoakSegmentSpans,
} from '../src/soak';
import { renderSoakReport, rssCurve, SOAK_RSS_SLACK_MB, summarizeSoak } from '../src/soak-report';

const outDir = mkdtempSync(join(tmpdir(), 'tracepack-bench-soak-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

test('--soak, --soak-duration, --flap-interval: defaults, --quick, flags over environment', () => {
  const d = parseOptions([], {});
  assert.equal(d.soak, false);
  assert.equal(d.soakDuration, 600);
  assert.equal(d.flapInterval, 30);
  const q = parseOptions(['--quick', '--soak'], {});
  assert.equal(q.soak, true);
  assert.equal(q.soakDuration, 60);
  assert.equal(q.flapInterval, 10);
  assert.equal(parseOptions([], { BENCH_SOAK: '1' }).soak, true);
  const f = parseOptions(['--soak-duration', '6', '--flap-interval=2'], {
    BENCH_SOAK_DURATION: '90',
    BENCH_FLAP_INTERVAL: '9',
  });
  assert.equal(f.soakDuration, 6);
  assert.equal(f.flapInterval, 2);
  assert.throws(() => parseOptions(['--flap-interval', '0'], {}), /--flap-interval must be a whole number >= 1/);
});

/** What a soak must show however fast the machine is. */
function assertFlappedAndAccounted(result: SoakResult, segments: number): void {
  assert.equal(result.segments.length, segments);
  result.segments.forEach((s, i) => assert.equal(s.backend, i % 2 === 0 ? 'alive' : 'dead', `segment ${s.index}`));
  for (const s of result.segments) {
    assert.ok(
      s.load.requests > 0 && s.load.rps > 0 && Number.isFinite(s.load.p99Ms),
      `segment ${s.index}: load numbers`,
    );
    assert.ok(s.rssEndMB > 0 && s.rssMaxMB >= s.rssEndMB, `segment ${s.index}: RSS`);
    assert.ok(s.spans.created > 0, `segment ${s.index}: spans created`);
    assert.equal(s.spans.unaccounted, 0, `segment ${s.index}: ${JSON.stringify(s.spans)}`);
    if (s.backend === 'dead') {
      assert.equal(s.spans.received, 0, `segment ${s.index}: nothing reaches a killed backend`);
      assert.equal(s.spans.exported, 0, `segment ${s.index}: nothing is acknowledged by a killed backend`);
      assert.ok(s.killMs !== undefined, `segment ${s.index}: the backend was killed`);
    }
  }
  // The backend came back on the same URL: the alive segments after a dead one received spans.
  for (const s of result.segments.filter((x) => x.backend === 'alive' && x.index > 1)) {
    assert.ok(s.backendUpAfterS !== undefined && s.backendUpAfterS > 0, `segment ${s.index}: restarted`);
    assert.ok(s.spans.received > 0, `segment ${s.index}: the restarted backend received spans`);
  }
  const t = result.totals;
  assert.equal(t.pending, 0, 'nothing left queued or exporting');
  assert.equal(t.created, t.ended, "the bench's count of ended spans is tracepack's");
  assert.equal(t.created, t.received + t.failed + t.dropped + t.droppedAtShutdown, JSON.stringify(t));
  assert.equal(t.received, t.exported, 'the backend has every span the service was told it received');
  assert.ok(t.received > 0, 'spans were received');
  assert.equal(result.summary.checks.find((c) => c.id === 'soak-spans-accounted')?.pass, true);
  assert.ok(result.rssSamples.length >= segments, 'RSS sampled during the load');

  assert.ok(existsSync(result.file), 'the JSON file was written');
  const written = JSON.parse(readFileSync(result.file, 'utf8')) as SoakResult;
  assert.equal(written.segments.length, segments);
  const table = renderSoakReport(written, 'soak');
  for (const c of written.summary.checks) assert.ok(table.includes(c.description), c.id);
  assert.match(table, /RSS {6}[▁▂▃▄▅▆▇█]+/);
}

test(
  'the soak runs, the bench receiver is killed and restarted on its URL, every span is counted exactly',
  { timeout: 120_000 },
  async () => {
    const result = await runSoak({
      soakDuration: 6,
      flapInterval: 2,
      warmup: 1,
      connections: 8,
      receiver: 'otlp',
      outDir,
      load: undefined,
    });
    assert.equal(result.receiver.kind, 'otlp');
    assertFlappedAndAccounted(result, 3);
    assert.equal(result.end, undefined, 'the last segment was alive: no drain after it');
  },
);

// Jaeger is the soak's backend when installed: its counts die with it, so they are read before
// each kill. Ending on a dead segment, Jaeger is started once more and the service drained.
test(
  'with Jaeger: killed and restarted, its counts add up to every exported span; a soak ending dead drains at the end',
  { timeout: 180_000, skip: e2eSkip() },
  async () => {
    const result = await runSoak({
      soakDuration: 4,
      flapInterval: 2,
      warmup: 1,
      connections: 8,
      receiver: 'jaeger',
      outDir,
      load: undefined,
    });
    assert.equal(result.receiver.kind, 'jaeger');
    assertFlappedAndAccounted(result, 2);
    assert.ok(result.end, 'the last segment was dead: Jaeger started again and the service drained into it');
    assert.ok(result.end.spans.received > 0, 'what waited during the last dead segment reached Jaeger at the end');
  },
);

// ---------------------------------------------------------------- the checks, on made-up numbers

const NO_SPANS: SoakSegmentSpans = {
  created: 0,
  ended: 0,
  exported: 0,
  failed: 0,
  dropped: 0,
  droppedAtShutdown: 0,
  pending: 0,
  received: 0,
  unaccounted: 0,
};

function segment(index: number, p99Ms: number, rssMaxMB: number, spans: Partial<SoakSegmentSpans> = {}): SoakSegment {
  return {
    index,
    backend: index % 2 === 1 ? 'alive' : 'dead',
    startS: (index - 1) * 30,
    load: { tool: 'wrk', requests: 1000, seconds: 30, rps: 1000 / 30, p50Ms: 1, p99Ms, errors: 0, non2xx: 0 },
    cpuUsPerRequest: 50,
    rssMaxMB,
    rssEndMB: rssMaxMB,
    heapEndMB: 20,
    spans: { ...NO_SPANS, ...spans },
    pauseS: 0,
    loadAvg1: 1,
  };
}

function samplesOf(segments: SoakSegment[]): RssSample[] {
  return segments.map((s) => ({ tS: s.startS + 15, rssMB: s.rssMaxMB, segment: s.index }));
}

const check = (segments: SoakSegment[], totals: SoakSegmentSpans = NO_SPANS) => {
  const summary = summarizeSoak(segments, samplesOf(segments), totals);
  return (id: string) => summary.checks.find((c) => c.id === id)!.pass;
};

test('soak checks: a flat RSS, exact counts and a dead p99 within the bound PASS', () => {
  const segs = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => segment(i, 5, 100 + (i % 3)));
  const ok = check(
    segs,
    segmentSpans(
      { ...NO_SPANS },
      { created: 10, ended: 10, exported: 6, failed: 1, dropped: 3, droppedAtShutdown: 0, pending: 0 },
      6,
    ),
  );
  assert.equal(ok('soak-rss-bounded'), true);
  assert.equal(ok('soak-rss-dead-trend'), true);
  assert.equal(ok('soak-spans-accounted'), true);
  assert.equal(ok('soak-p99'), true);
  assert.equal(ok('soak-answered'), true);
});

test('soak checks: RSS growth beyond the slack, or rising at every dead segment, FAILs', () => {
  const leak = [1, 2, 3, 4, 5, 6].map((i) => segment(i, 5, 100 + (i > 4 ? SOAK_RSS_SLACK_MB + 5 : 0)));
  assert.equal(check(leak)('soak-rss-bounded'), false);
  const creeping = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => segment(i, 5, i % 2 === 0 ? 100 + i : 110));
  assert.equal(check(creeping)('soak-rss-bounded'), true, 'within the slack');
  assert.equal(check(creeping)('soak-rss-dead-trend'), false, 'but up at every dead segment');
  assert.equal(check(creeping.slice(0, 4))('soak-rss-dead-trend'), undefined, 'two dead segments say nothing');
});

test('soak checks: one span unaccounted, one pending, or a dead segment slower than the p99 bound FAILs', () => {
  const segs = [1, 2, 3, 4].map((i) => segment(i, 10, 100));
  const lost = segmentSpans(
    NO_SPANS,
    { created: 10, ended: 10, exported: 6, failed: 1, dropped: 2, droppedAtShutdown: 0, pending: 0 },
    6,
  );
  assert.equal(lost.unaccounted, 1);
  assert.equal(check(segs, lost)('soak-spans-accounted'), false);
  const pending = segmentSpans(
    NO_SPANS,
    { created: 10, ended: 10, exported: 6, failed: 1, dropped: 2, droppedAtShutdown: 0, pending: 1 },
    6,
  );
  assert.equal(pending.unaccounted, 0);
  assert.equal(
    check(segs, pending)('soak-spans-accounted'),
    false,
    'a span still queued is not received nor counted yet',
  );
  const inSegment = [segment(1, 10, 100, { created: 5, received: 4, exported: 4, unaccounted: 1 }), ...segs.slice(1)];
  assert.equal(
    check(inSegment)('soak-spans-accounted'),
    false,
    'a segment that loses one fails even when the totals hide it',
  );

  const slow = [segment(1, 10, 100), segment(2, 10 * P99_BOUND_FACTOR + 0.1, 100), segment(3, 10, 100)];
  assert.equal(check(slow)('soak-p99'), false);
  const atBound = [segment(1, 10, 100), segment(2, 10 * P99_BOUND_FACTOR, 100), segment(3, 10, 100)];
  assert.equal(check(atBound)('soak-p99'), true);
});

test('the RSS curve: one character per time slice, the backend state under it', () => {
  const segs = [1, 2, 3, 4].map((i) => segment(i, 5, 100 + i));
  const samples: RssSample[] = [];
  for (let t = 0; t <= 120; t += 5)
    samples.push({ tS: t, rssMB: 100 + t / 10, segment: Math.min(4, Math.floor(t / 30) + 1) });
  const c = rssCurve(samples, segs, 5, 12);
  assert.equal(c.curve.length, 12);
  assert.equal(c.backend.length, 12);
  assert.equal(c.sliceS, 10);
  assert.equal(c.curve[0], '▁');
  assert.equal(c.curve.at(-1), '█');
  assert.equal(c.backend, '███···███···');
});
