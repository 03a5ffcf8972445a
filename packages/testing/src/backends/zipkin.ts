// Zipkin server (the exec jar, in memory) on a free loopback port.
import { join } from 'node:path';
import { zipkinJarPath } from './install';
import { freePorts } from './ports';
import {
  LOOPBACK,
  START_ATTEMPTS,
  StartupError,
  launch,
  makeTempDir,
  removeTempDir,
  terminate,
  waitUntilReady,
  writeLogLine,
} from './process';

const ZIPKIN_STARTUP_TIMEOUT_MS = 90_000; // a JVM on 2 busy cores can take a while

export interface ZipkinOptions {
  /** @default 90000 */
  startupTimeoutMs?: number;
}

export interface ZipkinServer {
  /** Span intake, with its path: `http://127.0.0.1:P/api/v2/spans`. */
  spansUrl: string;
  /** Base URL of the API and UI: `http://127.0.0.1:P` (`/api/v2/...`). */
  queryUrl: string;
  port: number;
  dir: string;
  logPath: string;
  /** Graceful stop (SIGTERM, SIGKILL after 10 s), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

async function zipkinHealthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health`, {
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) {
      await res.arrayBuffer();
      return false;
    }
    const body = (await res.json()) as { status?: string };
    return body.status === 'UP';
  } catch {
    return false;
  }
}

/** Starts Zipkin server (in-memory storage, no self-tracing) on a free loopback port. */
export async function startZipkin(opts: ZipkinOptions = {}): Promise<ZipkinServer> {
  const jar = zipkinJarPath();
  const timeoutMs = opts.startupTimeoutMs ?? ZIPKIN_STARTUP_TIMEOUT_MS;
  const dir = await makeTempDir('tracepack-zipkin-');
  const logPath = join(dir, 'zipkin.log');

  for (let attempt = 1; ; attempt++) {
    const {
      tcp: [port],
    } = await freePorts(1);
    const base = `http://${LOOPBACK}:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      QUERY_PORT: String(port),
      STORAGE_TYPE: 'mem',
      SELF_TRACING_ENABLED: 'false',
      JAVA_OPTS: '-Xms32m -Xmx256m', // read by zipkin's own start scripts; the flags below for java
    };
    const args = [
      '-Xms32m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1', // faster start-up; the tests send few spans
      `-Djava.io.tmpdir=${dir}`,
      '-jar',
      jar,
      `--armeria.ports[0].ip=${LOOPBACK}`,
      `--armeria.ports[0].port=${port}`,
    ];
    writeLogLine(logPath, `--- ${new Date().toISOString()} starting java ${args.join(' ')}`);
    const running = launch('java', args, logPath, env);
    try {
      await waitUntilReady('zipkin', running, logPath, timeoutMs, () => zipkinHealthy(base));
    } catch (err) {
      if (err instanceof StartupError && err.portInUse && attempt < START_ATTEMPTS) continue;
      await removeTempDir(dir).catch(() => undefined);
      throw err;
    }
    let removed = false;
    return {
      spansUrl: `${base}/api/v2/spans`,
      queryUrl: base,
      port,
      dir,
      logPath,
      async stop() {
        await terminate(running, 'SIGTERM');
        if (!removed) {
          removed = true;
          await removeTempDir(dir);
        }
      },
    };
  }
}
