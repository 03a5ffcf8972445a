// Child services for register.test.ts: an app directory that sees exactly the framework version
// under test, and node started on it the way a user starts a traced service.
//
// Why a directory of links rather than the fixture in place: import-in-the-middle recognizes a
// package only when it is imported by its bare name (`import 'koa'`), so the fixture must import
// `koa` from a place where that name resolves to the version under test. The older majors live
// wherever npm hoisted the compat/* workspaces' dependencies; `requireFrom()` finds them, and the
// app directory's node_modules links to what it found.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** packages/instrumentation-http (this file runs from its dist/test). */
export const PACKAGE_DIR = join(__dirname, '..', '..');
/** The plain .mjs/.cjs fixtures, which are not compiled: read from the sources. */
export const FIXTURES_DIR = join(PACKAGE_DIR, 'test', 'fixtures');

export interface AppDir {
  readonly path: string;
  remove(): void;
}

/**
 * A temporary directory holding copies of `fixtures` and a node_modules with one link per
 * package in `packages`, each to the copy `resolveFrom` finds.
 */
export function createAppDir(
  fixtures: readonly string[],
  packages: readonly string[],
  resolveFrom: NodeJS.Require,
): AppDir {
  const path = mkdtempSync(join(tmpdir(), 'tracepack-route-app-'));
  for (const file of fixtures) copyFileSync(join(FIXTURES_DIR, file), join(path, file));
  for (const name of packages) {
    const link = join(path, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(packageDir(name, resolveFrom), link, 'dir');
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The directory of an installed package (some, like reflect-metadata, do not export package.json). */
function packageDir(name: string, resolveFrom: NodeJS.Require): string {
  let dir = dirname(resolveFrom.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name)
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named ${name} above ${resolveFrom.resolve(name)}`);
    dir = parent;
  }
}

export interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs this node (the line under test) in a child, without blocking this process: the OTLP
 * receiver the child exports to lives here and must keep answering. Killed after `timeoutMs`.
 */
export function runNode(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 30_000,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
