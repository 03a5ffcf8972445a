// One server process of the tests: started detached with its log in a temp dir, waited for
// until ready, stopped (or killed), and never left behind when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOOPBACK = '127.0.0.1';
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 40;
/** A free port can be taken by a parallel test between probe and bind. */
export const START_ATTEMPTS = 3;

/** Children still running, killed if the test process exits or is interrupted first. */
const liveChildren = new Set<ChildProcess>();
/** Temp dirs of servers not stopped yet, removed if the test process exits first. */
const liveDirs = new Set<string>();
let exitHooksInstalled = false;

function killAllNow(): void {
  for (const child of liveChildren) killGroup(child, 'SIGKILL');
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  liveDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  liveDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached: the child leads its own process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

export interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function launch(command: string, args: string[], logPath: string, env?: NodeJS.ProcessEnv): Running {
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: env ?? process.env,
    });
  } finally {
    closeSync(logFd); // the child has its own copy
  }
  installExitHooks();
  liveChildren.add(child);
  // A server a test forgot to stop must not keep the test process alive forever: the exit
  // hook kills it when the process ends. Readiness polling and terminate() keep the loop
  // alive (terminate re-refs the child) while they wait.
  child.unref();
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      liveChildren.delete(child);
      writeLogLine(logPath, `spawn error: ${err.message}`);
      resolve({ code: null, signal: null });
    });
  });
  return { child, exited };
}

export function writeLogLine(logPath: string, line: string): void {
  try {
    const fd = openSync(logPath, 'a');
    try {
      writeSync(fd, `${line}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the log is best effort
  }
}

/** The last lines of a server's log, for error messages. */
export function logTail(logPath: string, lines = LOG_TAIL_LINES): string {
  try {
    const text = readFileSync(logPath, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Stops a process group: `signal`, then SIGKILL after the timeout; resolves once it exited. */
export async function terminate(running: Running, signal: NodeJS.Signals, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    await running.exited;
    return;
  }
  child.ref(); // keep the loop alive until the exit event arrives
  killGroup(child, signal);
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      resolve();
    }, timeoutMs);
  });
  await Promise.race([running.exited, forced]);
  clearTimeout(timer);
  await running.exited;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

/**
 * Polls `ready` every 100 ms until it returns true, the process exits, or the deadline
 * passes. On failure kills the process group and throws with the log's tail.
 */
export async function waitUntilReady(
  name: string,
  running: Running,
  logPath: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void running.exited.then((e) => {
    exit = e;
  });
  while (Date.now() < deadline) {
    if (exit !== undefined) break;
    if (await ready()) return;
    if (exit !== undefined) break;
    await sleep(100);
  }
  const why =
    exit !== undefined
      ? `exited (code ${exit.code}, signal ${exit.signal}) before it was ready`
      : `was not ready within ${timeoutMs} ms`;
  await terminate(running, 'SIGKILL');
  const tail = logTail(logPath);
  throw new StartupError(
    `tracepack e2e: ${name} ${why}; log ${logPath}, last lines:\n${tail}`,
    /address already in use/i.test(tail),
  );
}
