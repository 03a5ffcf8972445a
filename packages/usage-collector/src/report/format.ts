import type { Regression, ReportThresholds, UsageReport } from './model';

/** 1234567 -> `1,234,567`. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 0.0123 -> `1.23%`; small shares keep two significant digits. */
export function pct(share: number): string {
  if (!Number.isFinite(share)) return '-';
  const p = share * 100;
  if (p === 0) return '0%';
  if (p < 0.1) return `${p.toPrecision(2)}%`;
  if (Number.isInteger(p)) return `${p}%`;
  return `${p.toFixed(p < 10 ? 2 : 1)}%`;
}

/** Milliseconds with sensible precision: `0.42`, `12.3`, `480`, `2,500`. */
export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  if (v < 1) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return int(v);
}

/** Requests per second or per day: `0.0042`, `1.25`, `340`. */
export function rate(v: number): string {
  if (v === 0) return '0';
  if (v < 0.01) return v.toPrecision(2);
  if (v < 100) return v.toFixed(2);
  return int(v);
}

export function title(r: UsageReport): string {
  return r.services.length > 0 ? `Usage report: ${r.services.join(', ')}` : 'Usage report';
}

export function windowLine(r: UsageReport): string {
  return `${r.window.days} days (since ${r.window.asked}): ${r.window.firstDay} to ${r.window.lastDay} UTC, report made ${r.window.until.replace(/\.\d+Z$/, 'Z')}`;
}

/** What `--include-test` changes, said once at the top of every format. */
export const INCLUDE_TEST_NOTE =
  'Test instances included (--include-test): every count below takes CI, local and warming-up instances as production ones, each as an installation of its own, on the version it reported ((unknown): test instances send none).';

export function testBreakdown(r: UsageReport): string {
  const by = new Map<string, number>();
  for (const k of r.testInstances) by.set(k.reason, (by.get(k.reason) ?? 0) + k.instances);
  const names: Record<string, string> = { ci: 'CI', local: 'local', warming_up: 'warming up' };
  return [...by].map(([reason, n]) => `${names[reason] ?? reason} ${int(n)}`).join(', ');
}

export function summaryLine(r: UsageReport): string {
  const t = r.totals;
  const tests = testBreakdown(r);
  return (
    (r.includeTest
      ? `${int(t.installations)} installations, test instances included (${int(t.productionInstances)} instances); of them ` // --include-test: each test instance is one
      : `${int(t.installations)} production installations (${int(t.productionInstances)} instances); `) +
    `${int(t.testInstances)} test instances${tests ? ` (${tests})` : ''}; ` +
    `${int(t.responses)} responses, ${pct(t.responses > 0 ? t.serverErrors / t.responses : 0)} 5xx`
  );
}

export function versionCheckLines(r: UsageReport): string[] {
  const c = r.versionCheck;
  const lines: string[] = [];
  const share = (n: number): string => (r.totals.installations > 0 ? ` (${pct(n / r.totals.installations)})` : '');
  if (c.reference !== undefined)
    lines.push(`Older than ${c.reference}: ${int(c.olderInstallations)} installations${share(c.olderInstallations)}.`);
  if (c.vulnerableRanges.length > 0) {
    lines.push(
      `In the flagged range ${c.vulnerableRanges.map((x) => `"${x}"`).join(' or ')}: ${int(c.vulnerableInstallations)} installations${share(c.vulnerableInstallations)}` +
        (c.vulnerableVersions.length > 0
          ? ` on ${c.vulnerableVersions.join(', ')}.`
          : ' (no deployed version is in it).'),
    );
  }
  return lines;
}

export function regressionRule(t: ReportThresholds): string {
  return (
    `A regression is a change between one version and the next (semver order) of an endpoint with at least ${int(t.regressionMinResponses)} responses in each: ` +
    `p99 at least ${t.p99Factor}x and ${t.p99MinIncreaseMs} ms higher, or the 5xx rate at least ${t.errorRateFactor}x and ${t.errorRateMinIncreasePoints} percentage point(s) higher ` +
    `with a two-proportion z score of at least ${t.errorRateMinZ}.`
  );
}

export function regressionChange(g: Regression): { before: string; after: string } {
  return g.metric === 'p99'
    ? { before: `${ms(g.before)} ms`, after: `${ms(g.after)} ms` }
    : { before: pct(g.before), after: pct(g.after) };
}

export function rareRule(t: ReportThresholds): string {
  return `rarely used: fewer than ${pct(t.rareInstallationShare)} of the production installations that sent requests`;
}

/** Endpoints with the worst 5xx rate first (at least one response). */
export function byErrorRate(r: UsageReport): UsageReport['endpoints'] {
  return [...r.endpoints].sort((a, b) => b.errorRate - a.errorRate || b.responses - a.responses);
}

export const TEST_REASON_NAMES: Readonly<Record<string, string>> = {
  ci: 'CI',
  local: 'local run',
  warming_up: 'warming up',
  '(none)': 'no reason sent',
};
