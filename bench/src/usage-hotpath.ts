/**
 * What @tracepack/usage adds to one request, without the noise of a server under load: the
 * two messages node:http publishes per request (`http.server.request.start`,
 * `http.server.response.finish`) published here in a loop, with usage on (its subscribers
 * count the request) and with usage opted out (no subscriber: node publishes nothing). Each
 * iteration builds a fresh request object and URL string, as a server does, in both runs.
 *
 *   node bench/dist/src/usage-hotpath.js [--requests 2000000] [--paths 100]
 *
 * The loop runs far above 16k requests a second, so usage times one request in 64 here (see
 * packages/usage/README.md, Cost), as it would in a server that busy.
 *
 * The socket here is a plain object (node's `bytesWritten` getter walks the socket's write
 * buffer, a few more nanoseconds); the wrk variants (h)/(i) of `npm run bench -- --usage`
 * measure the whole server.
 */
import { channel } from 'node:diagnostics_channel';
import { startUsage } from '@tracepack/usage';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const REQUESTS = arg('requests', 2_000_000);
const PATHS = arg('paths', 100);
const start = channel('http.server.request.start');
const finish = channel('http.server.response.finish');
const socket = { bytesWritten: 0 };
const response = { statusCode: 200 };

/** ns per request of `REQUESTS` synthetic requests through both channels. */
function run(): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) {
    const request = { url: `/hello/${i % PATHS}`, method: 'GET' };
    if (start.hasSubscribers) start.publish({ request, response, socket, server: undefined });
    socket.bytesWritten += 128;
    if (finish.hasSubscribers) finish.publish({ request, response, socket, server: undefined });
  }
  return Number(process.hrtime.bigint() - t) / REQUESTS;
}

async function main(): Promise<void> {
  run(); // warm-up of the loop itself
  const off = Math.min(run(), run(), run());
  const usage = startUsage({
    // An endpoint nothing listens on: with these periods no report is made during the loops.
    config: { endpoint: 'http://127.0.0.1:9', report_interval: '1h', keepalive_interval: '1h' },
    env: {},
    argv: [],
    routes: ['/hello/:id'],
    handleSignals: false,
    logger: () => undefined,
  });
  run(); // warm-up with the subscribers (caches, inline caches)
  const on = Math.min(run(), run(), run());
  await usage.shutdown();
  console.log(`usage hot path, ${REQUESTS} requests over ${PATHS} paths (best of 3), Node ${process.versions.node}:`);
  console.log(`  opted out (no subscriber): ${off.toFixed(1)} ns/request`);
  console.log(`  on:                        ${on.toFixed(1)} ns/request`);
  console.log(
    `  added by usage:            ${(on - off).toFixed(1)} ns = ${((on - off) / 1000).toFixed(3)} us per request (budget 1 us)`,
  );
}

void main();
