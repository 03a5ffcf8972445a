/**
 * Versions as services publish them (`1.4.2`, `v1.4.2`, `1.5.0-rc.1`), compared the semver way,
 * and the ranges maintainers flag (`<1.4.2`, `>=1.3.0 <1.4.2`, `1.4.1 || 1.4.3`, `1.3.x`).
 * Only what the report needs: no npm package, no prerelease exclusion rules (a prerelease sorts
 * before its release and matches a range like any other version).
 */

interface Parsed {
  nums: [number, number, number];
  pre: (string | number)[];
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): Parsed | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { nums: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre };
}

/** True when `version` reads as a version (`1`, `1.4`, `1.4.2`, `v1.4.2-rc.1`). */
export function isVersion(version: string): boolean {
  return parse(version) !== undefined;
}

/**
 * Orders two versions: negative when `a` is older. Versions that do not parse sort after
 * every version that does, by their text (they are shown, never compared with a range).
 */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < 3; i++) if (pa.nums[i] !== pb.nums[i]) return pa.nums[i]! - pb.nums[i]!;
  if (pa.pre.length === 0 || pb.pre.length === 0) return pb.pre.length - pa.pre.length;
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

type Op = '<' | '<=' | '>' | '>=' | '=';
interface Comparator {
  op: Op;
  version: string;
}

/** A parsed version range: alternatives (`||`) of comparator sets that must all hold. */
export interface VersionRange {
  /** The text it was parsed from, trimmed. */
  readonly text: string;
  test(version: string): boolean;
}

/** Thrown for a range that does not parse; the message names the part that does not. */
export class VersionRangeError extends Error {
  readonly code = 'TRACEPACK_USAGE_REPORT_BAD_RANGE';
  constructor(range: string, part: string) {
    super(
      `@tracepack/usage-collector: version range "${range}" is not understood at "${part}"; use comparators such as "<1.4.2", ">=1.3.0 <1.4.2", "=1.4.1", "1.3.x", joined by spaces (all hold) or "||" (either)`,
    );
    this.name = 'VersionRangeError';
  }
}

/** The comparators a wildcard or partial version stands for: `1.3.x`, `1.3` is `>=1.3.0-0 <1.4.0-0`; `1`, `1.x` likewise. */
function wildcard(text: string): Comparator[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.([xX*]))?$/.exec(text);
  if (!m) return undefined; // a full version: itself
  const major = Number(m[1]);
  const minor = m[2];
  if (minor === undefined || !/^\d+$/.test(minor))
    return [
      { op: '>=', version: `${major}.0.0-0` },
      { op: '<', version: `${major + 1}.0.0-0` },
    ];
  return [
    { op: '>=', version: `${major}.${minor}.0-0` },
    { op: '<', version: `${major}.${Number(minor) + 1}.0-0` },
  ];
}

/**
 * Parses a range: comparators `<`, `<=`, `>`, `>=`, `=` (or a bare version: exactly it),
 * wildcards (`1.3.x`, `1.x`, `1.3`), separated by spaces (all must hold) and `||` (either).
 */
export function parseVersionRange(range: string): VersionRange {
  const text = range.trim();
  if (text === '') throw new VersionRangeError(range, '(empty)');
  const alternatives: Comparator[][] = text.split('||').map((alt) => {
    const parts = alt
      .trim()
      .replace(/(<=|>=|<|>|=)\s+/g, '$1')
      .split(/\s+/)
      .filter((p) => p !== '');
    if (parts.length === 0) throw new VersionRangeError(range, '||');
    return parts.flatMap((part) => {
      const m = /^(<=|>=|<|>|=)?(.+)$/.exec(part)!;
      const op = (m[1] ?? '=') as Op;
      if (m[1] === undefined || m[1] === '=') {
        const wild = wildcard(m[2]!);
        if (wild) return wild;
      }
      if (!isVersion(m[2]!)) throw new VersionRangeError(range, part);
      return [{ op, version: m[2]! }];
    });
  });
  return {
    text,
    test(version: string): boolean {
      if (!isVersion(version)) return false;
      return alternatives.some((set) =>
        set.every(({ op, version: v }) => {
          const c = compareVersions(version, v);
          return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '>=' ? c >= 0 : c === 0;
        }),
      );
    },
  };
}
