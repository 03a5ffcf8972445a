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
  private readonly _serviceName: string | undefined;
  private readonly _maxPacketSize: number;
  private readonly _flushTimeoutMs: number;
  private readonly _reporter: ProblemReporter;
  private _warnedOversized = false;
  /** Per resource: its encoded Process, and the size of an EmitBatch frame around it. */
  private readonly _processes = new WeakMap<Resource, { bytes: Buffer; frame: number }>();
  private readonly _inFlight = new Set<Promise<void>>();
  private readonly _refusalListeners = new Set<(err: Error) => void>();
  private _socket: dgram.Socket | undefined;
  private _connecting: Promise<dgram.Socket> | undefined;
  private _shutdownPromise: Promise<void> | undefined;
  private _seqid = 0;
  private _oversized = 0;

  constructor(options: JaegerAgentExporterOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? DEFAULT_PORT;
    this.protocol = options.protocol ?? agentProtocolForPort(this.port);
    this._serviceName = options.serviceName;
    this._maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    this._flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    const address = isIPv6(this.host) ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
    this._reporter = exportFailureReporter(
      `the Jaeger agent at udp://${address} (${this.protocol} Thrift)`,
      options.reportFailures ?? true,
    );
  }

  /** Spans lost so far: failed sends plus spans too large for one datagram. */
  get droppedSpans(): number {
    return this._reporter.total + this._oversized;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const finish = beginExport(this._shutdownPromise !== undefined, spans.length, resultCallback);
    if (!finish) return;
    const job = this._send(spans)
      .catch((err: unknown): ExportResult => ({ code: ExportResultCode.FAILED, error: err as Error }))
      .then(finish);
    this._inFlight.add(job);
    void job.finally(() => this._inFlight.delete(job));
  }

  forceFlush(): Promise<void> {
    return this._drain();
  }

  /** Waits for exports in flight (up to flushTimeoutMs), then closes the socket. Idempotent. */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= this._drain().then(() => {
      const socket = this._socket;
      this._socket = undefined;
      this._connecting = undefined;
      if (socket) closeQuietly(socket);
    });
    return this._shutdownPromise;
  }

  private async _drain(): Promise<void> {
    if (this._inFlight.size === 0) return;
    await withTimeout(Promise.allSettled([...this._inFlight]), this._flushTimeoutMs);
  }

  private async _send(spans: ReadableSpan[]): Promise<ExportResult> {
    let encoded: Encoded;
    try {
      encoded = this._encode(spans);
    } catch (err) {
      this._reporter.failure(EXPORT_PROBLEM, {
        detail: `spans could not be encoded: ${describeError(err)}`,
        count: spans.length,
      });
      return { code: ExportResultCode.FAILED, error: err as Error };
    }
    if (encoded.datagrams.length === 0) return { code: ExportResultCode.SUCCESS };
    const refusal = this._watchRefusal();
    try {
      const socket = await this._getSocket();
      for (const [i, datagram] of encoded.datagrams.entries()) {
        if (i > 0) await delay(DATAGRAM_GAP_MS);
        await sendDatagram(socket, datagram);
      }
      await refusal.settle(REFUSAL_WINDOW_MS);
    } catch (err) {
      this._reporter.failure(EXPORT_PROBLEM, { detail: describeError(err), count: encoded.spans });
      return { code: ExportResultCode.FAILED, error: err as Error };
    } finally {
      refusal.dispose();
    }
    diag.debug(`${PACKAGE_NAME}: sent ${encoded.spans} span(s) in ${encoded.datagrams.length} datagram(s)`);
    this._reporter.success(EXPORT_PROBLEM);
    return { code: ExportResultCode.SUCCESS };
  }

  /** Groups spans by resource (one Process each) and packs them into datagrams by size. */
  private _encode(spans: readonly ReadableSpan[]): Encoded {
    const byResource = new Map<Resource, ReadableSpan[]>();
    for (const span of spans) {
      const group = byResource.get(span.resource);
      if (group) group.push(span);
      else byResource.set(span.resource, [span]);
    }
    const datagrams: Buffer[] = [];
    let carried = 0;
    for (const [resource, group] of byResource) {
      const { bytes: processBytes, frame } = this._process(resource);
      let batch: Buffer[] = [];
      let size = frame;
      const flush = (): void => {
        if (batch.length === 0) return;
        datagrams.push(encodeEmitBatch(this.protocol, processBytes, batch, this._nextSeqid()));
        carried += batch.length;
        batch = [];
        size = frame;
      };
      for (const span of group) {
        const bytes = encodeSpan(this.protocol, spanToJaeger(span));
        if (frame + bytes.length > this._maxPacketSize) {
          this._dropOversized(span, frame + bytes.length);
          continue;
        }
        if (size + bytes.length > this._maxPacketSize) flush();
        batch.push(bytes);
        size += bytes.length;
      }
      flush();
    }
    return { datagrams, spans: carried };
  }

  private _process(resource: Resource): { bytes: Buffer; frame: number } {
    let entry = this._processes.get(resource);
    if (!entry) {
      const bytes = encodeProcess(this.protocol, resourceToProcess(resource, this._serviceName));
      entry = { bytes, frame: encodeEmitBatch(this.protocol, bytes, [], 0).length + FRAME_SLACK };
      this._processes.set(resource, entry);
    }
    return entry;
  }

  private _dropOversized(span: ReadableSpan, bytes: number): void {
    this._oversized += 1;
    if (this._warnedOversized) return;
    this._warnedOversized = true;
    diag.warn(
      `${PACKAGE_NAME}: span "${span.name}" needs a ${bytes}-byte datagram, more than the ${this._maxPacketSize} bytes ` +
        'a Jaeger agent accepts; it was dropped. Further oversized spans are dropped and counted (droppedSpans) ' +
        'without a log line; send to collector_endpoint to keep them.',
    );
  }

  private _nextSeqid(): number {
    this._seqid = (this._seqid + 1) & 0x7fffffff;
    return this._seqid;
  }

  /** A connected socket (created once; re-created only after its connect failed). */
  private _getSocket(): Promise<dgram.Socket> {
    if (this._connecting) return this._connecting;
    const socket = dgram.createSocket(isIPv6(this.host) ? 'udp6' : 'udp4');
    socket.on('error', (err) => this._onSocketError(err));
    socket.unref(); // an idle exporter must not keep the process alive
    const connecting = new Promise<dgram.Socket>((resolve, reject) => {
      socket.connect(this.port, this.host, (err?: Error) => (err ? reject(err) : resolve(socket)));
    });
    connecting.catch(() => {
      if (this._socket === socket) {
        this._socket = undefined;
        this._connecting = undefined;
      }
      closeQuietly(socket); // e.g. ENOTFOUND: the next export resolves the name again
    });
    this._socket = socket;
    this._connecting = connecting;
    return connecting;
  }

  private _onSocketError(err: Error): void {
    if (this._refusalListeners.size === 0) {
      diag.debug(`${PACKAGE_NAME}: UDP socket error between exports: ${describeError(err)}`);
      return;
    }
    for (const listener of this._refusalListeners) listener(err);
  }

  /** Collects asynchronous socket errors (ICMP refusals) from now until disposed. */
  private _watchRefusal(): { settle(ms: number): Promise<void>; dispose(): void } {
    let error: Error | undefined;
    let wake: (() => void) | undefined;
    const listener = (err: Error): void => {
      error ??= err;
      wake?.();
    };
    this._refusalListeners.add(listener);
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
        this._refusalListeners.delete(listener);
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
