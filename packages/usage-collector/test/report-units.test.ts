// The report's parts that need no database: version order and ranges, percentiles from
// histogram buckets, the regression rule, the window, and the renderers' quoting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareVersions,
  DEFAULT_REPORT_THRESHOLDS,
  findRegressions,
  parseSince,
  parseVersionRange,
  quantileOf,
  renderUsageReportCsv,
  renderUsageReportMarkdown,
  VersionRangeError,
  type UsageReport,
} from '../src/index';
import { parseCsv, csvField } from '../src/report/csv';
import { addBuckets, emptyBuckets } from '../src/report/histogram';
import { escapeHtml } from '../src/report/html';

describe('versions', () => {
  it('sort the semver way: numbers, prereleases before their release, non-versions last', () => {
    const sorted = ['1.10.0', '1.2.0', 'v1.9.3', '1.10.0-rc.2', '1.10.0-rc.10', 'nightly', '1.10.0-beta', '2'].sort(
      compareVersions,
    );
    assert.deepEqual(sorted, [
      '1.2.0',
      'v1.9.3',
      '1.10.0-beta',
      '1.10.0-rc.2',
      '1.10.0-rc.10',
      '1.10.0',
      '2',
      'nightly',
    ]);
  });

  it('ranges: comparators (all must hold), || (either), bare versions, wildcards', () => {
    const cases: [string, string[], string[]][] = [
      ['<1.4.2', ['1.4.1', '1.3.9', '0.1.0', '1.4.2-rc.1'], ['1.4.2', '1.5.0', 'nightly']],
      ['>=1.3.0 <1.4.2', ['1.3.0', '1.4.1'], ['1.2.9', '1.4.2']],
      ['>= 1.3.0 < 1.4.2', ['1.3.0'], ['1.4.2']],
      ['=1.4.1 || 1.5.0', ['1.4.1', '1.5.0'], ['1.4.2', '1.5.1']],
      ['1.3.x', ['1.3.0', '1.3.17'], ['1.4.0', '1.2.9']],
      ['1.x', ['1.0.0', '1.99.0'], ['2.0.0', '0.9.0']],
      ['1.3', ['1.3.5'], ['1.4.0']],
    ];
    for (const [range, inside, outside] of cases) {
      const r = parseVersionRange(range);
      for (const v of inside) assert.equal(r.test(v), true, `${v} in ${range}`);
      for (const v of outside) assert.equal(r.test(v), false, `${v} not in ${range}`);
    }
  });

  it('a range that does not parse throws, naming the part', () => {
    assert.throws(
      () => parseVersionRange('<1.4.2 banana'),
      (err: unknown) => err instanceof VersionRangeError && /at "banana"/.test(err.message),
    );
    assert.throws(() => parseVersionRange(''), VersionRangeError);
    assert.throws(() => parseVersionRange('<1.4 ||'), VersionRangeError);
  });
});

describe('percentiles from histogram buckets', () => {
  const bounds = [10, 20, 50, 100];

  it('linear inside the bucket where the rank falls; the first bucket starts at 0', () => {
    // 100 values: 50 in (0,10], 40 in (10,20], 9 in (20,50], 1 in (50,100]
    const b = { bounds, counts: [50, 40, 9, 1, 0] };
    assert.equal(quantileOf(b, 0.5), 10);
    assert.equal(quantileOf(b, 0.25), 5);
    assert.equal(quantileOf(b, 0.9), 20);
    assert.equal(quantileOf(b, 0.99), 50);
    assert.equal(quantileOf(b, 1), 100);
    assert.equal(quantileOf({ bounds, counts: [0, 0, 0, 0, 0] }, 0.99), undefined);
  });

  it('the largest value seen bounds the bucket it is in, and closes the open last bucket', () => {
    assert.equal(quantileOf({ bounds, counts: [0, 0, 0, 0, 10], max: 300 }, 1), 300);
    assert.equal(quantileOf({ bounds, counts: [0, 0, 0, 0, 10] }, 1), 100);
    assert.equal(quantileOf({ bounds, counts: [0, 0, 0, 10, 0], max: 60 }, 1), 60);
  });

  it('histograms with other bounds merge onto the first one without placing values lower', () => {
    const into = emptyBuckets(bounds);
    addBuckets(into, { bounds: [15, 30], counts: [1, 1, 1] });
    // <=15 -> (10,20]; (15,30] -> (20,50]; >30 -> open
    assert.deepEqual(into.counts, [0, 1, 1, 0, 1]);
    addBuckets(into, { bounds, counts: [1, 1, 1, 1, 1] });
    assert.deepEqual(into.counts, [1, 2, 2, 1, 2]);
  });
});

describe('regressions', () => {
  const agg = (
    version: string,
    responses: number,
    serverErrors: number,
    counts: number[],
  ): Parameters<typeof findRegressions>[0][number] => ({
    endpoint: '/a',
    method: 'GET',
    version,
    responses,
    serverErrors,
    buckets: { bounds: [10, 20, 50, 100, 250, 500], counts },
  });

  it('p99 and error rate jumps between consecutive versions (semver order), not improvements', () => {
    const rows = [
      agg('1.10.0', 1000, 60, [0, 0, 0, 990, 10, 0, 0]), // p99 jumps from ~18 to ~100, 5xx 0.5% -> 6%
      agg('1.2.0', 1000, 5, [900, 100, 0, 0, 0, 0, 0]),
      agg('1.11.0', 1000, 4, [900, 100, 0, 0, 0, 0, 0]), // back: an improvement
    ];
    const found = findRegressions(rows, DEFAULT_REPORT_THRESHOLDS).map(
      (g) => `${g.metric} ${g.fromVersion}->${g.toVersion}`,
    );
    assert.deepEqual(found.sort(), ['error_rate 1.2.0->1.10.0', 'p99 1.2.0->1.10.0']);
  });

  it('too few responses, a jump inside one bucket, or an insignificant error rise: none', () => {
    // few responses
    assert.deepEqual(
      findRegressions(
        [agg('1.0.0', 100, 0, [100, 0, 0, 0, 0, 0, 0]), agg('1.1.0', 100, 20, [0, 0, 0, 0, 0, 100, 0])],
        DEFAULT_REPORT_THRESHOLDS,
      ),
      [],
    );
    // p99 x1.5 but only +7.5 ms (inside the sub-20 ms buckets)
    assert.deepEqual(
      findRegressions(
        [agg('1.0.0', 1000, 0, [985, 15, 0, 0, 0, 0, 0]), agg('1.1.0', 1000, 0, [0, 1000, 0, 0, 0, 0, 0])],
        DEFAULT_REPORT_THRESHOLDS,
      ),
      [],
    );
    // 5xx 0.2% -> 1.3% on 300 responses each: doubled and +1 point, but z < 3
    assert.deepEqual(
      findRegressions(
        [agg('1.0.0', 500, 1, [500, 0, 0, 0, 0, 0, 0]), agg('1.1.0', 300, 4, [300, 0, 0, 0, 0, 0, 0])],
        DEFAULT_REPORT_THRESHOLDS,
      ),
      [],
    );
    // the same rise on 20,000 responses each is one
    assert.equal(
      findRegressions(
        [agg('1.0.0', 20000, 40, [20000, 0, 0, 0, 0, 0, 0]), agg('1.1.0', 20000, 260, [20000, 0, 0, 0, 0, 0, 0])],
        DEFAULT_REPORT_THRESHOLDS,
      ).length,
      1,
    );
  });
});

describe('the window', () => {
  const now = new Date('2026-12-01T12:30:00Z');
  it('durations back from now, dates, and nothing else', () => {
    assert.equal(parseSince('30d', now).start.toISOString(), '2026-11-01T12:30:00.000Z');
    assert.equal(parseSince('12h', now).start.toISOString(), '2026-12-01T00:30:00.000Z');
    assert.equal(parseSince('2w', now).start.toISOString(), '2026-11-17T12:30:00.000Z');
    assert.equal(parseSince('2026-11-03', now).start.toISOString(), '2026-11-03T00:00:00.000Z');
    assert.throws(
      () => parseSince('last month', now),
      /since "last month" is not understood: use a duration back from now \(30d, 12h, 2w, 90m\) or a date/,
    );
  });
});

function sampleReport(): UsageReport {
  return {
    services: ['svc'],
    includeTest: false,
    window: { asked: '7d', firstDay: '2026-11-24', lastDay: '2026-11-25', days: 2, until: '2026-11-25T10:00:00.000Z' },
    thresholds: { ...DEFAULT_REPORT_THRESHOLDS },
    totals: { installations: 2, productionInstances: 3, testInstances: 1, responses: 10, serverErrors: 1 },
    deployments: [
      { day: '2026-11-24', installations: 2, productionInstances: 3, ci: 1, local: 0, warmingUp: 0, otherTest: 0 },
      { day: '2026-11-25', installations: 1, productionInstances: 1, ci: 0, local: 0, warmingUp: 0, otherTest: 0 },
    ],
    testInstances: [{ reason: 'ci', ciName: 'gitlab', instances: 1 }],
    versions: [
      {
        version: '1.0.0',
        installations: 2,
        share: 1,
        installationsEver: 2,
        instances: 3,
        olderThanReference: false,
        vulnerable: false,
      },
    ],
    versionCheck: {
      reference: '1.0.0',
      olderInstallations: 0,
      vulnerableRanges: [],
      vulnerableInstallations: 0,
      vulnerableVersions: [],
    },
    versionsOverTime: [],
    features: [{ source: 'service', feature: 'a,"b"', installations: 1, share: 0.5, uses: 3 }],
    endpoints: [
      {
        endpoint: '/odd|path,"x"\nnext',
        method: 'GET',
        responses: 10,
        share: 1,
        perDay: 5,
        perSecond: 0.0001,
        installations: 2,
        serverErrors: 1,
        errorRate: 0.1,
        clientErrors: 0,
        clientErrorRate: 0,
        p50Ms: 3,
        p99Ms: 9.5,
        rare: false,
      },
    ],
    unusedEndpoints: [],
    latencyByVersion: [],
    regressions: [],
    runtimes: [],
    runtimeLines: [],
    privacyDrops: [],
    ignoredMetrics: [],
  };
}

describe('renderers', () => {
  it('csv fields are quoted as RFC 4180 says, and read back as written', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(0.1 + 0.2), '0.3');
    assert.equal(csvField(undefined), '');
    const rows = parseCsv(renderUsageReportCsv(sampleReport()));
    assert.ok(rows.some((r) => r[0] === '/odd|path,"x"\nnext' && r[1] === 'GET' && r[2] === '10'));
    assert.ok(rows.some((r) => r[1] === 'a,"b"'));
  });

  it('markdown escapes pipes and folds newlines, so a cell never breaks its table', () => {
    const md = renderUsageReportMarkdown(sampleReport());
    const row = md.split('\n').find((l) => l.includes('/odd'))!;
    assert.equal(row, '| /odd\\|path,"x" next | GET | 10 | 100% | 5.00 | 0.00010 | 2 | 10% | 0% | 3.0 | 9.5 |  |');
  });

  it('html escapes text', () => {
    assert.equal(
      escapeHtml(`<script>"x" & 'y'</script>`),
      '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;',
    );
  });
});
