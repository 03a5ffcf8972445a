/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function, so the lead can
 * see where a traced request's time goes: our packages, OpenTelemetry, Node's own code.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export type Origin =
  | 'tracepack'
  | 'opentelemetry'
  | 'bench app'
  | 'node internals'
  | 'other packages'
  | 'gc'
  | 'idle'
  | 'program'
  | 'native/other';

export interface FunctionTime {
  functionName: string;
  /** Shortened location: packages/<name>/..., @opentelemetry/<name>/..., node:... */
  location: string;
  origin: Origin;
  selfMs: number;
  /** Share of the non-idle time. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  byOrigin: Record<string, number>;
  /** Self ms per package of ours (packages/<name>) and of OpenTelemetry (@opentelemetry/<name>). */
  byPackage: Record<string, number>;
  functions: FunctionTime[];
}

export function summarizeCpuProfile(file: string, repoRoot: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const root = safeRealpath(repoRoot);
  // Self time per node: each sample's time delta goes to the node it hit.
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; the interval after it (i + 1) is what it covers.
    const dt = deltas[i + 1] ?? deltas[i] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, dt));
  }
  const perFunction = new Map<string, FunctionTime>();
  const byOrigin: Record<string, number> = {};
  const byPackage: Record<string, number> = {};
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const origin = classify(functionName, url);
    byOrigin[origin] = (byOrigin[origin] ?? 0) + us / 1000;
    const location = url ? `${shorten(url, root)}:${lineNumber + 1}` : '';
    if (origin === 'tracepack' || origin === 'opentelemetry') {
      const pkg = location.split('/').slice(0, 2).join('/');
      byPackage[pkg] = (byPackage[pkg] ?? 0) + us / 1000;
    }
    const key = `${functionName}@${location}`;
    const entry = perFunction.get(key) ?? {
      functionName: functionName || '(anonymous)',
      location,
      origin,
      selfMs: 0,
      share: 0,
    };
    entry.selfMs += us / 1000;
    perFunction.set(key, entry);
  }
  const idleMs = byOrigin.idle ?? 0;
  const busyMs = totalUs / 1000 - idleMs;
  const functions = [...perFunction.values()].sort((a, b) => b.selfMs - a.selfMs);
  for (const f of functions) f.share = busyMs > 0 ? f.selfMs / busyMs : 0;
  return { totalMs: totalUs / 1000, busyMs, byOrigin, byPackage, functions };
}

function classify(name: string, url: string): Origin {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'program';
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/@opentelemetry/')) return 'opentelemetry';
  if (/\/packages\/[^/]+\/dist\//.test(url) || url.includes('/@tracepack/')) return 'tracepack';
  if (url.includes('/bench/dist/')) return 'bench app';
  if (url.includes('/node_modules/')) return 'other packages';
  return 'native/other';
}

function shorten(url: string, root: string): string {
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const otel = path.lastIndexOf('/@opentelemetry/');
  if (otel !== -1) return path.slice(otel + 1).replace('/build/src/', '/');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  if (path.startsWith(root + sep)) path = path.slice(root.length + 1);
  return path.replace('/dist/src/', '/');
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
