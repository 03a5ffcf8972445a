import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { ProblemReporter } from '@tracepack/core';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { encodeEmitBatch, encodeProcess, encodeSpan, FRAME_SLACK } from './encode';
import { resourceToProcess, spanToJaeger } from './transform';
import type { JaegerAgentExporterOptions, ThriftProtocol } from './types';
import { beginExport, describeError, EXPORT_PROBLEM, exportFailureReporter, PACKAGE_NAME, withTimeout } from './utils';

type Resource = ReadableSpan['resource'];

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6831;
/** The agent's binary-Thrift port; every other port gets compact Thrift. */
export const BINARY_AGENT_PORT = 6832;
/** The agent's default max packet size, and jaeger-client's. */
const DEFAULT_MAX_PACKET_SIZE = 65000;
const DEFAULT_FLUSH_TIMEOUT_MS = 5000;
/**
 * UDP has no acknowledgement: an agent that is down shows only as an ICMP "port unreachable",
 * which the kernel hands to a *connected* socket as ECONNREFUSED, and which Node surfaces as an
 * 'error' event shortly after the send. An export waits this long after its last datagram for
 * it, so that a dead agent makes the export FAILED instead of a silent SUCCESS. On loopback or
 * a LAN the ICMP arrives well within it; a host that drops packets silently cannot be detected.
 */
const REFUSAL_WINDOW_MS = 20;
/**
 * Pause between the datagrams of one export. Sent back to back, the ~65 kB datagrams of a
 * large export (the queue flushed at exit: 3000 spans are ~5 of them) overflow the agent's
 * socket receive buffer (the OS default, ~208 kB) before it reads them, and the kernel drops
 * them silently (measured: Jaeger kept 1444-2925 of 3000 spans in half the runs; with 5 ms
 * between datagrams, 3000 of 3000 in 8 of 8 runs; 1 ms was not enough). A normal batch fits
 * one datagram and never waits.
 */
const DATAGRAM_GAP_MS = 5;

/** The protocol the agent expects on `port`. */
export function agentProtocolForPort(port: number): ThriftProtocol {
  return port === BINARY_AGENT_PORT ? 'binary' : 'compact';
}

interface Encoded {
  datagrams: Buffer[];
  /** Spans carried by `datagrams` (oversized ones are not). */
  spans: number;
}

/**
 * Spans as Jaeger Thrift `emitBatch` datagrams to an agent over UDP: compact Thrift (port 6831
 * and any other) or binary Thrift (port 6832).
 *
 * Both ports share one encoder (src/encode.ts, the collector exporter's too), one span mapping
 * (resource attributes as process tags), one datagram splitting, and one failure reporting
 * (connected socket, ECONNREFUSED as FAILED, once-per-streak diag); the tests read both
 * protocols back with decoders of their own, written from the Thrift specs.
 */
export class JaegerAgentExporter implements SpanExporter {
  readonly host: string;
  readonly port: number;
  readonly protocol: ThriftProtocol;
  private readonly serviceName: string | undefined;
  private readonly maxPacketSize: number;
  private readonly flushTimeoutMs: number;
  private readonly reporter: ProblemReporter;
  private warnedOversized = false;
  /** Per resource: its encoded Process, and the size of an EmitBatch frame around it. */
  private readonly processes = new WeakMap<Resource, { bytes: Buffer; frame: number }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly refusalListeners = new Set<(err: Error) => void>();
  private socket: dgram.Socket | undefined;
  private connecting: Promise<dgram.Socket> | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private seqid = 0;
  private oversized = 0;

  constructor(options: JaegerAgentExporterOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? DEFAULT_PORT;
    this.protocol = options.protocol ?? agentProtocolForPort(this.port);
    this.serviceName = options.serviceName;
    this.maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    this.flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    const address = isIPv6(this.host) ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
    this.reporter = exportFailureReporter(`the Jaeger agent at udp://${address} (${this.protocol} Thrift)`, options.reportFailures ?? true);
  }

  /** Spans lost so far: failed sends plus spans too large for one datagram. */
  get droppedSpans(): number {
    return this.reporter.total + this.oversized;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const finish = beginExport(this.shutdownPromise !== undefined, spans.length, resultCallback);
    if (!finish) return;
    const job = this.send(spans)
      .catch((err: unknown): ExportResult => ({ code: ExportResultCode.FAILED, error: err as Error }))
      .then(finish);
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  forceFlush(): Promise<void> {
    return this.drain();
  }

  /** Waits for exports in flight (up to flushTimeoutMs), then closes the socket. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.drain().then(() => {
      const socket = this.socket;
      this.socket = undefined;
      this.connecting = undefined;
      if (socket) closeQuietly(socket);
    });
    return this.shutdownPromise;
  }

  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    await withTimeout(Promise.allSettled([...this.inFlight]), this.flushTimeoutMs);
  }

  private async send(spans: ReadableSpan[]): Promise<ExportResult> {
    let encoded: Encoded;
    try {
      encoded = this.encode(spans);
    } catch (err) {
      this.reporter.failure(EXPORT_PROBLEM, { detail: `spans could not be encoded: ${describeError(err)}`, count: spans.length });
      return { code: ExportResultCode.FAILED, error: err as Error };
    }
    if (encoded.datagrams.length === 0) return { code: ExportResultCode.SUCCESS };
    const refusal = this.watchRefusal();
    try {
      const socket = await this.getSocket();
      for (const [i, datagram] of encoded.datagrams.entries()) {
        if (i > 0) await delay(DATAGRAM_GAP_MS);
        await sendDatagram(socket, datagram);
      }
      await refusal.settle(REFUSAL_WINDOW_MS);
    } catch (err) {
      this.reporter.failure(EXPORT_PROBLEM, { detail: describeError(err), count: encoded.spans });
      return { code: ExportResultCode.FAILED, error: err as Error };
    } finally {
      refusal.dispose();
    }
    diag.debug(`${PACKAGE_NAME}: sent ${encoded.spans} span(s) in ${encoded.datagrams.length} datagram(s)`);
    this.reporter.success(EXPORT_PROBLEM);
    return { code: ExportResultCode.SUCCESS };
  }

  /** Groups spans by resource (one Process each) and packs them into datagrams by size. */
  private encode(spans: readonly ReadableSpan[]): Encoded {
    const byResource = new Map<Resource, ReadableSpan[]>();
    for (const span of spans) {
      const group = byResource.get(span.resource);
      if (group) group.push(span);
      else byResource.set(span.resource, [span]);
    }
    const datagrams: Buffer[] = [];
    let carried = 0;
    for (const [resource, group] of byResource) {
      const { bytes: processBytes, frame } = this.process(resource);
      let batch: Buffer[] = [];
      let size = frame;
      const flush = (): void => {
        if (batch.length === 0) return;
        datagrams.push(encodeEmitBatch(this.protocol, processBytes, batch, this.nextSeqid()));
        carried += batch.length;
        batch = [];
        size = frame;
      };
      for (const span of group) {
        const bytes = encodeSpan(this.protocol, spanToJaeger(span));
        if (frame + bytes.length > this.maxPacketSize) {
          this.dropOversized(span, frame + bytes.length);
          continue;
        }
        if (size + bytes.length > this.maxPacketSize) flush();
        batch.push(bytes);
        size += bytes.length;
      }
      flush();
    }
    return { datagrams, spans: carried };
  }

  private process(resource: Resource): { bytes: Buffer; frame: number } {
    let entry = this.processes.get(resource);
    if (!entry) {
      const bytes = encodeProcess(this.protocol, resourceToProcess(resource, this.serviceName));
      entry = { bytes, frame: encodeEmitBatch(this.protocol, bytes, [], 0).length + FRAME_SLACK };
      this.processes.set(resource, entry);
    }
    return entry;
  }

  private dropOversized(span: ReadableSpan, bytes: number): void {
    this.oversized += 1;
    if (this.warnedOversized) return;
    this.warnedOversized = true;
    diag.warn(
      `${PACKAGE_NAME}: span "${span.name}" needs a ${bytes}-byte datagram, more than the ${this.maxPacketSize} bytes ` +
        'a Jaeger agent accepts; it was dropped. Further oversized spans are dropped and counted (droppedSpans) ' +
        'without a log line; send to collector_endpoint to keep them.',
    );
  }

  private nextSeqid(): number {
    this.seqid = (this.seqid + 1) & 0x7fffffff;
    return this.seqid;
  }

  /** A connected socket (created once; re-created only after its connect failed). */
  private getSocket(): Promise<dgram.Socket> {
    if (this.connecting) return this.connecting;
    const socket = dgram.createSocket(isIPv6(this.host) ? 'udp6' : 'udp4');
    socket.on('error', (err) => this.onSocketError(err));
    socket.unref(); // an idle exporter must not keep the process alive
    const connecting = new Promise<dgram.Socket>((resolve, reject) => {
      socket.connect(this.port, this.host, (err?: Error) => (err ? reject(err) : resolve(socket)));
    });
    connecting.catch(() => {
      if (this.socket === socket) {
        this.socket = undefined;
        this.connecting = undefined;
      }
      closeQuietly(socket); // e.g. ENOTFOUND: the next export resolves the name again
    });
    this.socket = socket;
    this.connecting = connecting;
    return connecting;
  }

  private onSocketError(err: Error): void {
    if (this.refusalListeners.size === 0) {
      diag.debug(`${PACKAGE_NAME}: UDP socket error between exports: ${describeError(err)}`);
      return;
    }
    for (const listener of this.refusalListeners) listener(err);
  }

  /** Collects asynchronous socket errors (ICMP refusals) from now until disposed. */
  private watchRefusal(): { settle(ms: number): Promise<void>; dispose(): void } {
    let error: Error | undefined;
    let wake: (() => void) | undefined;
    const listener = (err: Error): void => {
      error ??= err;
      wake?.();
    };
    this.refusalListeners.add(listener);
    return {
      settle: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (error) return reject(error);
          const timer = setTimeout(() => (error ? reject(error) : resolve()), ms);
          wake = () => {
            clearTimeout(timer);
            reject(error);
          };
        }),
      dispose: () => {
        this.refusalListeners.delete(listener);
      },
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function sendDatagram(socket: dgram.Socket, datagram: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      socket.send(datagram, (err) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err as Error); // e.g. ERR_SOCKET_DGRAM_NOT_RUNNING after close
    }
  });
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
