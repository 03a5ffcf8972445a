import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import dns from 'node:dns';
import type { AddressInfo } from 'node:net';

/** A node:http server on loopback port 0 (what usage watches), closed by `close()`. */
export async function startApp(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The app every test drives: `hello`, or the status asked for in `?status=`. */
export function helloApp(req: IncomingMessage, res: ServerResponse): void {
  const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
  res.writeHead(status, { 'content-type': 'text/plain' }).end('hello');
}

/** Requests in sequence; answers read to the end. */
export async function hit(base: string, paths: readonly string[], init?: RequestInit): Promise<void> {
  for (const p of paths) {
    const res = await fetch(base + p, init);
    await res.arrayBuffer();
  }
}

/** Lines a logger got. */
export function lines(): { log: (line: string) => void; lines: string[] } {
  const out: string[] = [];
  return { log: (l) => out.push(l), lines: out };
}

/**
 * Host names looked up through node:dns while the spy is on (net and http resolve through
 * `dns.lookup`). It calls through: a spy on the real resolver, not a stand-in for it.
 */
export function spyOnDnsLookups(): { hosts: string[]; restore: () => void } {
  const hosts: string[] = [];
  const original = dns.lookup;
  (dns as { lookup: unknown }).lookup = function lookup(this: unknown, hostname: string, ...rest: unknown[]) {
    hosts.push(hostname);
    return (original as (...a: unknown[]) => unknown).call(this, hostname, ...rest);
  };
  return { hosts, restore: () => void ((dns as { lookup: unknown }).lookup = original) };
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
