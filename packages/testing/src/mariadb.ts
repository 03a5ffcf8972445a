import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FixtureUnavailableError,
  cleanUpOnExit,
  runAsync,
  serverFromUrl,
  systemUser,
  waitUntil,
  writeFileFor,
} from './postgres';
import type { DatabaseServer } from './postgres';
import { freePort } from './backends/ports';
import { logTail } from './backends/process';

export interface StartMariadbOptions {
  /** Database created for the tests, owned by user `tracepack` (password `tracepack`). @default 'tracepack' */
  database?: string;
  /** How long to wait for the server. @default 60000 */
  timeoutMs?: number;
}

const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin'];

/** First of `names` found in env `TRACEPACK_TEST_MARIADB_BIN`, the usual dirs or PATH. */
function findBinary(names: string[]): string | undefined {
  const fromEnv = process.env['TRACEPACK_TEST_MARIADB_BIN'];
  const dirs = fromEnv ? [fromEnv] : [...SEARCH_DIRS, ...(process.env['PATH'] ?? '').split(':').filter(Boolean)];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * A real MariaDB for one test file: mariadb-install-db into a temp dir, mariadbd on a free
 * 127.0.0.1 port with its socket in that dir, a database and a user `tracepack`/`tracepack`
 * reachable over TCP (what mysql2 uses). As root, the server runs as the `mysql` system user.
 *
 * If `TRACEPACK_TEST_MYSQL_URL` is set (`mysql://user:password@host:port/database`), nothing is
 * started and that server is returned. Throws {@link FixtureUnavailableError} when the MariaDB
 * server binaries are not installed.
 */
export async function startMariadb(options: StartMariadbOptions = {}): Promise<DatabaseServer> {
  const fromEnv = process.env['TRACEPACK_TEST_MYSQL_URL'];
  if (fromEnv) return serverFromUrl(fromEnv, 3306, 'TRACEPACK_TEST_MYSQL_URL');

  const database = options.database ?? 'tracepack';
  if (!/^\w+$/.test(database))
    throw new TypeError(`@tracepack/testing: startMariadb database must match /^\\w+$/, got '${database}'`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const server = findBinary(['mariadbd', 'mysqld']);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  if (!server || !installDb) {
    throw new FixtureUnavailableError(
      `startMariadb: MariaDB server binaries not found (${!server ? 'mariadbd' : 'mariadb-install-db'} missing in ` +
        `$TRACEPACK_TEST_MARIADB_BIN, ${SEARCH_DIRS.join(', ')} or PATH). ` +
        'Install MariaDB (apt-get install mariadb-server) or set TRACEPACK_TEST_MYSQL_URL to an existing server.',
    );
  }

  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? systemUser('mysql') : undefined;
  if (asRoot && !owner) {
    throw new FixtureUnavailableError(
      "startMariadb: running as root and there is no 'mysql' system user to run mariadbd as. Create one or set TRACEPACK_TEST_MYSQL_URL.",
    );
  }
  const userArgs = asRoot ? ['--user=mysql'] : [];

  const dir = mkdtempSync(join(tmpdir(), 'tracepack-mariadb-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const errorLog = join(dir, 'error.log');
  const initFile = join(dir, 'init.sql');
  let child: ChildProcess | undefined;
  let exited = true;

  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const forget = cleanUpOnExit(dir, () => {
    if (child && !exited) child.kill('SIGKILL');
    removeDir();
  });
  const stop = async (): Promise<void> => {
    const running = child;
    if (running && !exited) {
      const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    child = undefined;
    removeDir();
    forget();
  };
  const fail = async (what: string, output: string): Promise<never> => {
    await stop();
    throw new Error(`startMariadb: ${what}:\n${output.trim()}`);
  };

  // --no-defaults must come first: no /etc/mysql config may leak into the test server.
  const install = await runAsync(installDb, [
    '--no-defaults',
    `--datadir=${dataDir}`,
    ...userArgs,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--skip-name-resolve',
  ]);
  if (install.status !== 0) await fail('mariadb-install-db failed', install.output);

  // Runs before the server takes its first connection, so a greeting means the user exists.
  writeFileFor(
    initFile,
    [
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4;`,
      "CREATE USER IF NOT EXISTS 'tracepack'@'%' IDENTIFIED BY 'tracepack';",
      `GRANT ALL PRIVILEGES ON \`${database}\`.* TO 'tracepack'@'%';`,
      '',
    ].join('\n'),
    owner,
  );

  let port = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort();
    const proc = spawn(
      server,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        ...userArgs,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mysqld.sock')}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${errorLog}`,
        `--tmpdir=${dir}`,
        `--init-file=${initFile}`,
        '--skip-name-resolve',
        '--skip-log-bin',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
        '--innodb-buffer-pool-size=16M',
        '--innodb-flush-log-at-trx-commit=0',
      ],
      { stdio: 'ignore' },
    );
    proc.unref();
    child = proc;
    exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    proc.once('error', () => {
      exited = true;
    });
    try {
      await waitUntil(
        async () => exited || (await greets('127.0.0.1', port)),
        timeoutMs,
        () => `startMariadb: no greeting on 127.0.0.1:${port} after ${timeoutMs} ms:\n${logTail(errorLog, 20)}`,
      );
    } catch (err) {
      await fail('mariadbd did not start', err instanceof Error ? err.message : String(err));
    }
    if (!exited) break;
    // Exited: most likely the port was taken between freePort() and bind; try another.
    if (attempt === 2) await fail('mariadbd exited', logTail(errorLog, 20));
  }

  const host = '127.0.0.1';
  return {
    url: `mysql://tracepack:tracepack@${host}:${port}/${database}`,
    host,
    port,
    database,
    user: 'tracepack',
    password: 'tracepack',
    stop,
  };
}

/** True when the server sends a MySQL protocol-10 handshake (not an error packet) on a new connection. */
function greets(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.length > 4 && chunk[4] === 0x0a));
  });
}
