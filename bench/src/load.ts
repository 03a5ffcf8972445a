/**
 * The load generator, always in a process of its own: wrk (1 thread) when it is on PATH,
 * else autocannon run by ./autocannon-worker in a child Node.js process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '@tracepack/testing';
import type { LoadTool } from './options';

export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  /** Whole seconds (wrk's unit). */
  seconds: number;
  connections: number;
}

export interface LoadResult {
  tool: LoadTool;
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Responses other than 2xx/3xx. */
  non2xx: number;
}

/** The tool to use: the forced one, else wrk when found on PATH, else autocannon. */
export function pickLoadTool(forced: LoadTool | undefined): LoadTool {
  if (forced) return forced;
  return findOnPath('wrk') ? 'wrk' : 'autocannon';
}

export function runLoad(tool: LoadTool, req: LoadRequest): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(req) : runAutocannon(req);
}

// ---------------------------------------------------------------- wrk

let scriptDir: string | undefined;

function wrkScript(req: LoadRequest): string | undefined {
  if (req.method === 'GET') return undefined;
  scriptDir ??= mkdtempSync(join(tmpdir(), 'tracepack-bench-'));
  const file = join(scriptDir, 'post.lua');
  const lua = [
    `wrk.method = "POST"`,
    `wrk.body = ${JSON.stringify(req.body ?? '')}`,
    `wrk.headers["Content-Type"] = ${JSON.stringify(req.contentType ?? 'application/octet-stream')}`,
    '',
  ].join('\n');
  writeFileSync(file, lua);
  return file;
}

async function runWrk(req: LoadRequest): Promise<LoadResult> {
  const args = ['-t1', `-c${req.connections}`, `-d${req.seconds}s`, '--latency', '--timeout', '10s'];
  const script = wrkScript(req);
  if (script) args.push('-s', script);
  args.push(req.url);
  const out = await capture('wrk', args);
  return parseWrk(out, req.seconds);
}

/** Parses wrk's report (with --latency). Exported for the tests. */
export function parseWrk(text: string, fallbackSeconds: number): LoadResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(text);
  if (!total) throw new Error(`bench: cannot read wrk's output:\n${text}`);
  const requests = Number(total[1]);
  const seconds = toMs(Number(total[2]), total[3]!) / 1000 || fallbackSeconds;
  const rpsMatch = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)`, 'm').exec(text);
    return m ? toMs(Number(m[1]), m[2]!) : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  return {
    tool: 'wrk',
    requests,
    seconds,
    rps: rpsMatch ? Number(rpsMatch[1]) : requests / seconds,
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    errors,
    non2xx,
  };
}

function toMs(value: number, unit: string): number {
  switch (unit) {
    case 'us':
      return value / 1000;
    case 'ms':
      return value;
    case 's':
      return value * 1000;
    case 'm':
      return value * 60_000;
    default:
      return value * 3_600_000;
  }
}

// ---------------------------------------------------------------- autocannon

async function runAutocannon(req: LoadRequest): Promise<LoadResult> {
  const worker = join(__dirname, 'autocannon-worker.js');
  const out = await capture(process.execPath, [worker, JSON.stringify(req)]);
  const line = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as LoadResult;
}

// ---------------------------------------------------------------- plumbing

function capture(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`bench: ${cmd} exited with ${code}:\n${err || out}`));
    });
  });
}
