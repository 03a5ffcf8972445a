/**
 * The autocannon fallback (when wrk is not installed), run as its own Node.js process so the
 * load generator never shares the bench process's event loop. Argument: a LoadRequest as
 * JSON; prints one LoadResult as JSON on the last line of stdout.
 */
import type { LoadRequest, LoadResult } from './load';

interface AutocannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;

const req = JSON.parse(process.argv[2] ?? '{}') as LoadRequest;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- no type declarations shipped
const autocannon = require('autocannon') as Autocannon;
autocannon(
  {
    url: req.url,
    method: req.method,
    body: req.body,
    headers: req.contentType ? { 'content-type': req.contentType } : {},
    connections: req.connections,
    duration: req.seconds,
    timeout: 10,
  },
  (err, r) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    const seconds = r.duration || req.seconds;
    const out: LoadResult = {
      tool: 'autocannon',
      requests: r.requests.total,
      seconds,
      rps: r.requests.total / seconds,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
    };
    console.log(JSON.stringify(out));
  },
);
