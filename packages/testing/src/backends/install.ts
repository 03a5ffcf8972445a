// Where the real trace backends are: the versions `bash test/e2e/install-servers.sh` caches
// outside the repo, their paths, and the e2e tier's rule when they are missing.
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isCI } from '../ci';

/** The Jaeger release the cached binary is built from (module tag v1.76.0 is the same tree). */
export const JAEGER_VERSION = 'v2.13.0';
/** The Go module tag that `install-servers.sh` builds; it names the cached binary. */
export const JAEGER_MODULE_VERSION = 'v1.76.0';
/** The Zipkin server release whose executable jar is cached. */
export const ZIPKIN_VERSION = '3.6.1';

/** The one line printed when the servers are missing outside CI. */
export const INSTALL_HINT = 'run bash test/e2e/install-servers.sh, then npm test';

/** `${TRACEPACK_CACHE:-$HOME/.cache/tracepack}/bin`, the same rule as install-servers.sh. */
export function cacheBinDir(): string {
  return join(process.env.TRACEPACK_CACHE || join(homedir(), '.cache', 'tracepack'), 'bin');
}

/** Path of the Jaeger binary: `TRACEPACK_JAEGER_BIN`, else the cached build. */
export function jaegerBinaryPath(): string {
  return process.env.TRACEPACK_JAEGER_BIN || join(cacheBinDir(), `jaeger-${JAEGER_MODULE_VERSION}`);
}

/** Path of the Zipkin exec jar: `TRACEPACK_ZIPKIN_JAR`, else the cached copy. */
export function zipkinJarPath(): string {
  return process.env.TRACEPACK_ZIPKIN_JAR || join(cacheBinDir(), `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);
}

/** Debian's chromium launcher, which the e2e tier drives headless to check Zipkin's UI. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Path of Chromium: `TRACEPACK_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.TRACEPACK_CHROMIUM || DEFAULT_CHROMIUM;
}

/** Whether `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `command` on PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

export interface E2eAvailability {
  /** True when Jaeger, Zipkin, a `java` to run it and Chromium (for Zipkin's UI) are all present. */
  available: boolean;
  /** What was found, or what is missing followed by {@link INSTALL_HINT}. */
  reason: string;
}

/** Whether the e2e servers are installed. Only looks at files: starts nothing. */
export function e2eAvailability(): E2eAvailability {
  const missing: string[] = [];
  const jaeger = jaegerBinaryPath();
  const zipkin = zipkinJarPath();
  if (!isExecutable(jaeger)) missing.push(`jaeger (${jaeger})`);
  if (!existsSync(zipkin)) missing.push(`zipkin (${zipkin})`);
  if (findOnPath('java') === undefined) missing.push('java (for zipkin)');
  const chromium = chromiumPath();
  if (!isExecutable(chromium)) missing.push(`chromium (${chromium}, for Zipkin's UI)`);
  if (missing.length > 0) {
    return {
      available: false,
      reason: `e2e servers missing: ${missing.join(', ')}: ${INSTALL_HINT}`,
    };
  }
  return {
    available: true,
    reason: `jaeger ${JAEGER_VERSION} at ${jaeger}, zipkin ${ZIPKIN_VERSION} at ${zipkin}, chromium at ${chromium}`,
  };
}

/**
 * The tier's rule, for `describe(name, { skip: e2eSkip() }, ...)`: `false` when the servers
 * are installed; otherwise, in CI (any spelling of CI, see isCI) it throws (missing servers fail CI), and
 * elsewhere it returns the one-line reason to skip with.
 */
export function e2eSkip(): false | string {
  const { available, reason } = e2eAvailability();
  if (available) return false;
  if (isCI()) {
    throw new Error(`tracepack e2e: CI is set (CI=${process.env.CI}) but ${reason}`);
  }
  return reason;
}
