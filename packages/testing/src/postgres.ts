import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './backends/ports';
import { logTail } from './backends/process';

/** A database server started for a test file (or given by an environment variable). */
export interface DatabaseServer {
  /** Connection URL with user, password (if any) and database, e.g. `postgresql://postgres@127.0.0.1:5433/tracepack`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** Stops the server and removes its files; a no-op for servers given by URL. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Thrown when a fixture cannot run here (binaries missing, no unprivileged user to run them as).
 * Tests skip on it outside CI: `if (isFixtureUnavailable(err) && !isCI()) t.skip(...)`.
 */
export class FixtureUnavailableError extends Error {
  readonly code = 'TRACEPACK_TEST_FIXTURE_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'FixtureUnavailableError';
  }
}

export function isFixtureUnavailable(err: unknown): err is FixtureUnavailableError {
  return err instanceof FixtureUnavailableError;
}

/** Calls `check` every 50 ms until it returns true; throws `describe()` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** uid/gid of a system user, or undefined when it does not exist. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(
      execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** Processes and directories to clean up if the test process exits without calling stop(). */
const leftovers = new Map<string, () => void>();
let exitHookInstalled = false;
export function cleanUpOnExit(key: string, cleanUp: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const fn of leftovers.values()) {
        try {
          fn();
        } catch {
          // best effort at exit
        }
      }
    });
  }
  leftovers.set(key, cleanUp);
  return () => leftovers.delete(key);
}

/** `{ url, host, port, ... }` of a server given by an environment variable; stop() does nothing. */
export function serverFromUrl(raw: string, defaultPort: number, variable: string): DatabaseServer {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`@tracepack/testing: ${variable} is not a URL`);
  }
  return {
    url: raw,
    host: url.hostname,
    port: Number(url.port) || defaultPort,
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    stop: async () => {},
  };
}

export interface StartPostgresOptions {
  /** Database created for the tests. @default 'tracepack' */
  database?: string;
  /** How long to wait for the server. @default 30000 */
  timeoutMs?: number;
}

/** Directory holding initdb/pg_ctl: env `TRACEPACK_TEST_PG_BIN`, the newest /usr/lib/postgresql/N/bin, or PATH. */
function findPostgresBin(): string | undefined {
  const fromEnv = process.env['TRACEPACK_TEST_PG_BIN'];
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/**
 * A real PostgreSQL for one test file: initdb into a temp dir (trust auth), pg_ctl start on a free
 * 127.0.0.1 port with its unix socket in that dir, and a fresh database. initdb refuses to run as
 * root, so as root every server command runs as the `postgres` system user (via runuser, or su).
 *
 * If `TRACEPACK_TEST_PG_URL` is set, nothing is started and that server is returned.
 * Throws {@link FixtureUnavailableError} when the PostgreSQL binaries are not installed.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<DatabaseServer> {
  const fromEnv = process.env['TRACEPACK_TEST_PG_URL'];
  if (fromEnv) return serverFromUrl(fromEnv, 5432, 'TRACEPACK_TEST_PG_URL');

  const database = options.database ?? 'tracepack';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const bin = findPostgresBin();
  if (!bin) {
    throw new FixtureUnavailableError(
      'startPostgres: PostgreSQL server binaries (initdb, pg_ctl) not found in $TRACEPACK_TEST_PG_BIN, /usr/lib/postgresql/*/bin or PATH. ' +
        'Install PostgreSQL (apt-get install postgresql) or set TRACEPACK_TEST_PG_URL to an existing server.',
    );
  }

  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? systemUser('postgres') : undefined;
  if (asRoot && !owner) {
    throw new FixtureUnavailableError(
      "startPostgres: running as root and there is no 'postgres' system user to run initdb as (initdb refuses root). " +
        'Create one (useradd postgres) or set TRACEPACK_TEST_PG_URL.',
    );
  }
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));

  /** The command line running a PostgreSQL binary, as `postgres` when we are root. */
  const commandLine = (tool: string, args: string[]): [string, string[]] => {
    const command = join(bin, tool);
    if (!asRoot) return [command, args];
    if (runuser) return [runuser, ['-u', 'postgres', '--', command, ...args]];
    return ['su', ['postgres', '-s', '/bin/sh', '-c', [command, ...args].map(shellQuote).join(' ')]];
  };
  const run = (tool: string, args: string[]): Promise<RunResult> => runAsync(...commandLine(tool, args));
  const runSync = (tool: string, args: string[]): void => {
    spawnSync(...commandLine(tool, args), { stdio: 'ignore' });
  };

  const dir = mkdtempSync(join(tmpdir(), 'tracepack-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let started = false;
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const stopArgs = ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10'];
  const forget = cleanUpOnExit(dir, () => {
    if (started) runSync('pg_ctl', stopArgs);
    removeDir();
  });
  const stop = async (): Promise<void> => {
    if (started) await run('pg_ctl', stopArgs);
    started = false;
    removeDir();
    forget();
  };
  const fail = async (what: string, output: string): Promise<never> => {
    await stop();
    throw new Error(`startPostgres: ${what}:\n${output.trim()}`);
  };

  const init = await run('initdb', [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  if (init.status !== 0) await fail('initdb failed', init.output);

  let port = 0;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    const serverOptions = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses='127.0.0.1'",
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    const start = await run('pg_ctl', [
      'start',
      '-D',
      dataDir,
      '-l',
      logFile,
      '-o',
      serverOptions,
      '-w',
      '-t',
      String(Math.ceil(timeoutMs / 1000)),
    ]);
    if (start.status === 0) started = true;
    else if (attempt === 2) await fail('pg_ctl start failed', `${start.output}\n${logTail(logFile, 20)}`);
  }

  const create = await run('psql', [
    '-h',
    dir,
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-v',
    'ON_ERROR_STOP=1',
    '-qc',
    `CREATE DATABASE "${database}"`,
  ]);
  if (create.status !== 0) await fail('CREATE DATABASE failed', create.output);

  const host = '127.0.0.1';
  return {
    url: `postgresql://postgres@${host}:${port}/${encodeURIComponent(database)}`,
    host,
    port,
    database,
    user: 'postgres',
    password: '',
    stop,
  };
}

export interface RunResult {
  status: number | null;
  output: string;
}

/** Runs a command to completion without blocking the event loop; never rejects. */
export function runAsync(command: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ status, output: `${stdout}${stderr}${err && typeof err.code !== 'number' ? String(err) : ''}` });
    });
  });
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Writes a file readable by the server's user (used by the MariaDB fixture for its init SQL). */
export function writeFileFor(path: string, content: string, owner: { uid: number; gid: number } | undefined): void {
  writeFileSync(path, content, { mode: 0o600 });
  if (owner) chownSync(path, owner.uid, owner.gid);
}
