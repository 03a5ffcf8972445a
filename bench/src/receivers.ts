/**
 * Where the traced variants export to, one fresh receiver per traced run: Jaeger v2 (in-memory,
 * OTLP/HTTP receiver) when its binary is installed, as the issue asks, otherwise the bench's own
 * OTLP receiver process. Both count what arrived, so that spans lost on the way show up.
 */
import { readFileSync } from 'node:fs';
import { isExecutable, jaegerBinaryPath, jaegerSpanCounts, startJaeger, type JaegerServer } from '@tracepack/testing';
import type { ReceiverOption } from './options';
import { ReceiverProcess } from './processes';

export type ReceiverKind = 'jaeger' | 'otlp';

const INSTALL_JAEGER = 'bash test/e2e/install-servers.sh installs it (or set TRACEPACK_JAEGER_BIN)';

export interface ReceiverCount {
  /** Spans the receiver has (decoded, or written to Jaeger's store). */
  spanCount: number;
  /** OTLP requests decoded (the bench's receiver only). */
  requests?: number;
  /** CPU the receiver spent since it was ready, in microseconds. */
  cpuUs: number;
}

export interface BenchReceiver {
  readonly kind: ReceiverKind;
  /** OTLP/HTTP base URL, without `/v1/traces`. */
  readonly url: string;
  count(): Promise<ReceiverCount>;
  /** Exports are refused from now on (a dead backend). */
  stopListening(): Promise<void>;
  exit(): Promise<void>;
}

/** Which receiver `--receiver` means on this machine, and a line saying why. */
export function resolveReceiver(option: ReceiverOption): { kind: ReceiverKind; why: string } {
  if (option === 'otlp') return { kind: 'otlp', why: 'the bench OTLP receiver (--receiver otlp)' };
  if (isExecutable(jaegerBinaryPath())) return { kind: 'jaeger', why: `Jaeger at ${jaegerBinaryPath()}` };
  if (option === 'jaeger')
    throw new Error(
      `bench: --receiver jaeger, but there is no Jaeger binary at ${jaegerBinaryPath()}: ${INSTALL_JAEGER}`,
    );
  return { kind: 'otlp', why: `the bench OTLP receiver (no Jaeger at ${jaegerBinaryPath()}: ${INSTALL_JAEGER})` };
}

export async function startReceiver(kind: ReceiverKind): Promise<BenchReceiver> {
  return kind === 'jaeger' ? JaegerReceiver.start() : ReceiverProcess.start();
}

/**
 * The receiver's count once it has what was sent: polls until it reaches `expected`, or stops
 * growing for `quietMs` (spans lost on the way), within `timeoutMs`.
 */
export async function settledCount(
  receiver: BenchReceiver,
  expected: number,
  timeoutMs = 10_000,
  quietMs = 1_000,
): Promise<ReceiverCount> {
  const deadline = Date.now() + timeoutMs;
  let last = await receiver.count();
  let stableSince = Date.now();
  while (last.spanCount < expected && Date.now() < deadline && Date.now() - stableSince < quietMs) {
    await new Promise((r) => setTimeout(r, 50));
    const next = await receiver.count();
    if (next.spanCount !== last.spanCount) stableSince = Date.now();
    last = next;
  }
  return last;
}

/**
 * Jaeger v2 all-in-one, in memory, started by @tracepack/testing like in the e2e tier. Counts
 * come from its collector's own metrics: spans its storage exporter wrote.
 */
class JaegerReceiver implements BenchReceiver {
  readonly kind = 'jaeger';

  private constructor(
    private readonly _jaeger: JaegerServer,
    private readonly _cpuStartUs: number,
  ) {}

  /** Keeps few traces: the bench only counts, and Jaeger's memory shares the machine. */
  static async start(): Promise<JaegerReceiver> {
    const jaeger = await startJaeger({ metrics: true, maxTraces: 10_000 });
    return new JaegerReceiver(jaeger, processCpuUs(jaeger.pid));
  }

  get url(): string {
    return `http://127.0.0.1:${this._jaeger.ports.otlpHttp}`;
  }

  async count(): Promise<ReceiverCount> {
    const counts = await jaegerSpanCounts(this._jaeger.metricsUrl!);
    return { spanCount: counts.stored, cpuUs: processCpuUs(this._jaeger.pid) - this._cpuStartUs };
  }

  async stopListening(): Promise<void> {
    await this._jaeger.kill();
  }

  async exit(): Promise<void> {
    await this._jaeger.stop();
  }
}

/** utime + stime of a process from /proc (Linux), in microseconds; 0 when unknown. */
function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux kernel configuration Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
