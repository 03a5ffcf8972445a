// `npm run quickstart`: starts an embedded PostgreSQL (once, here), the usage collector (here
// too, its own embedded database in a temporary directory), clients-service and the gateway as
// child processes, runs a short tour through the gateway with a traceparent of its own per
// request, prints the usage report of what the tour did, then keeps serving until Ctrl-C.
// `--once` or QUICKSTART_EXIT=1: exit after the report (exit code 1 when a step did not answer
// as expected).
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@tracepack/example-clients-service';
import { PREFIX_WIDTH, ServicePrinter, styles, useColor, wrapWords } from './output';
import { startStack, type ServiceName, type Stack } from './stack';
import { runStep, tourSteps, type StepResult } from './steps';
import { fitToWidth, startTourCollector, TOUR_REPORT_INTERVAL, waitForCount, type TourCollector } from './usage';

const SERVICES: readonly ServiceName[] = ['gateway', 'clients-service'];
/** The Jaeger release of quickstart-tracing.yml. */
const JAEGER_IMAGE = 'jaegertracing/jaeger:2.13.0';

async function main(): Promise<number> {
  const once =
    process.argv.includes('--once') || ['1', 'true', 'yes'].includes((process.env.QUICKSTART_EXIT ?? '').toLowerCase());
  const color = useColor();
  const s = styles(color);
  const out = (text: string): void => void process.stdout.write(text);
  const say = (line = ''): void => out(`${line}\n`);
  // Off a TTY, 80 columns: each service line fits under its prefix.
  const columns = process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80;
  const printer = new ServicePrinter(out, s, columns);

  const provider = process.env.TRACING_PROVIDER ?? 'console';
  const consoleView = provider === 'console';
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TRACING_PROVIDER: provider };
  if (consoleView) {
    // The services write to a pipe: tell them whether the terminal takes colours, and its width.
    childEnv.TRACING_PROVIDERS_CONSOLE_COLOR ??= color ? 'always' : 'never';
    // Each service line gets a prefix: the waterfall takes what is left (of 80 columns off a TTY).
    childEnv.TRACING_PROVIDERS_CONSOLE_WIDTH ??= String(Math.max(40, columns - PREFIX_WIDTH));
  }

  say(s.bold('tracepack quickstart'));
  say('  clients-service (express, bcrypt, PostgreSQL) behind a gateway (node:http,');
  say('  fetch), every request traced.');
  say(
    consoleView
      ? '  Tracing provider: console: each service prints its part of each trace.'
      : provider
        ? `  Tracing provider: ${provider} (the services export there; links below).`
        : '  Tracing: off (TRACING_PROVIDER is empty).',
  );
  say();

  let db: EmbeddedPostgres | undefined;
  let usage: TourCollector | undefined;
  let stack: Stack | undefined;
  let stopping: Promise<void> | undefined;
  // The services first: clients-service's shutdown sends its last usage report.
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await stack?.stop();
      await Promise.all([db?.stop(), usage?.close()]);
    })());

  // Ctrl-C: the services get the SIGINT from the terminal too; we stop them and the database.
  let resolveInterrupted: (code: number) => void = () => {};
  const interrupted = new Promise<number>((resolve) => (resolveInterrupted = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    say();
    say(s.dim(`${signal}: stopping the gateway, clients-service and the databases…`));
    void stopAll().then(() => {
      say(s.dim('stopped.'));
      resolveInterrupted(signal === 'SIGINT' ? 0 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    db = await startEmbeddedPostgres({ log: (line) => say(s.dim(line)) });
    // The receiving side of clients-service's anonymous usage statistics (@tracepack/usage).
    usage = await startTourCollector({
      log: (line) => wrapWords(`usage collector: ${line}`, 80, '  ').forEach((l) => say(s.dim(l))),
    });
    stack = await startStack({
      databaseUrl: db.url,
      env: childEnv,
      serviceEnv: { 'clients-service': usage.serviceEnv },
      servicePort: portFromEnv('QUICKSTART_SERVICE_PORT'),
      gatewayPort: portFromEnv('QUICKSTART_GATEWAY_PORT'),
      onLine: (service, line) => printer.line(service, line),
    });
  } catch (err) {
    say(s.red(`quickstart: could not start: ${(err as Error).message}`));
    await stopAll();
    return 1;
  }
  let crashed: (code: number) => void = () => {};
  const crash = new Promise<number>((resolve) => (crashed = resolve));
  stack.onUnexpectedExit((service, code) => {
    printer.release();
    say(s.red(`quickstart: ${service} exited unexpectedly (code ${code}); stopping.`));
    void stopAll().then(() => crashed(1));
  });

  say();
  say(s.bold(`Tour: five requests through the gateway at ${stack.gatewayUrl},`));
  say(s.bold('each with its own traceparent.'));
  const steps = tourSteps();
  const results: StepResult[] = [];
  for (const [i, step] of steps.entries()) {
    if (stopping) break;
    say();
    printer.hold();
    out(`${s.bold(`[${i + 1}/${steps.length}]`)} ${step.title}: ${step.method} ${step.path} … `);
    let result: StepResult;
    try {
      result = await runStep(stack.gatewayUrl, step);
    } catch (err) {
      say(s.red(`failed: ${(err as Error).message}`));
      printer.release();
      results.push({ step, status: 0, statusText: 'no answer', traceId: '', parentSpanId: '', body: '', ok: false });
      continue;
    }
    results.push(result);
    const status = `${result.status} ${result.statusText}`;
    say(result.ok ? s.green(status) : s.red(`${status} (expected ${step.expectedStatus})`));
    say(s.dim(`      trace ${result.traceId}`));
    if (consoleView) {
      // Each service prints the trace once its local root span has ended.
      const seen = await printer.waitFor(SERVICES, `trace ${result.traceId.slice(0, 8)}`, 4000);
      if (seen) await new Promise((r) => setTimeout(r, 50));
    } else if (provider) {
      say(`      ${traceLink(provider, result.traceId)}`);
    }
    printer.release();
  }
  if (stopping) return Promise.race([interrupted, crash]);

  const failed = results.filter((r) => !r.ok);
  say();
  say(
    failed.length === 0
      ? s.green(`Tour done: ${results.length} requests answered as expected, one trace each.`)
      : s.red(`Tour done: ${failed.length} of ${results.length} requests did not answer as expected.`),
  );
  if (once) {
    // Stopping clients-service flushes its last report: the report then holds every step.
    await stack.stop();
    await printUsageReport(say, s, usage, steps.length, 0);
    await stopAll();
    return failed.length === 0 ? 0 : 1;
  }

  // Still serving: the next report (every TOUR_REPORT_INTERVAL) brings the tour's requests.
  await printUsageReport(say, s, usage, steps.length, 15_000);
  if (stopping) return Promise.race([interrupted, crash]);
  printHints(say, s, stack.gatewayUrl, provider);
  return Promise.race([interrupted, crash]);
}

/**
 * What `tracepack usage report --format md` prints for the tour: from the collector's database,
 * once the tour's `responses` are stored (or after `waitMs`, with what is there).
 */
async function printUsageReport(
  say: (line?: string) => void,
  s: ReturnType<typeof styles>,
  usage: TourCollector,
  responses: number,
  waitMs: number,
): Promise<void> {
  say();
  say(s.bold('Usage statistics: what clients-service reported about the tour'));
  for (const line of wrapWords(
    `clients-service sent anonymous usage reports (@tracepack/usage, SQA_ENDPOINT=${usage.collector.url}, ` +
      `every ${TOUR_REPORT_INTERVAL}) to the usage collector this tour started (tracepack usage serve, embedded ` +
      'database). A local run counts as a test instance: the report counts it apart from production ' +
      "installations, whose traffic alone fills its endpoint tables. The tour's own requests, as stored " +
      '(route templates, no client ids):',
    80,
  )) {
    say(s.dim(line));
  }
  if (!(await waitForCount(() => usage.storedResponses(), responses, waitMs))) {
    say(s.dim('(not every request of the tour is in a stored report yet)'));
  }
  let traffic: string;
  let report: string;
  try {
    traffic = await usage.tourTrafficMarkdown();
    report = await usage.reportMarkdown();
  } catch (err) {
    say(s.red(`quickstart: no usage report: ${(err as Error).message}`));
    return;
  }
  say();
  for (const line of fitToWidth(traffic, 80)) say(line);
  say();
  say(s.bold('$ tracepack usage report --since 1d --format md') + s.dim('   (wide tables as lists)'));
  say();
  for (const line of fitToWidth(report.trimEnd(), 80)) say(line);
}

/** QUICKSTART_SERVICE_PORT / QUICKSTART_GATEWAY_PORT: a port, or 0 for a free one; unset: the default when free. */
function portFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`${name} must be a port number (0: any free port), got ${JSON.stringify(raw)}`);
  return port;
}

function traceLink(provider: string, traceId: string): string {
  if (provider === 'zipkin')
    return `Zipkin: ${(process.env.ZIPKIN_UI_URL ?? 'http://localhost:9411').replace(/\/+$/, '')}/zipkin/traces/${traceId}`;
  return `Jaeger: ${(process.env.JAEGER_UI_URL ?? 'http://localhost:16686').replace(/\/+$/, '')}/trace/${traceId}`;
}

function printHints(
  say: (line?: string) => void,
  s: ReturnType<typeof styles>,
  gatewayUrl: string,
  provider: string,
): void {
  const tp = '"traceparent: 00-$(openssl rand -hex 16)-$(openssl rand -hex 8)-01"';
  say();
  say(s.bold('Still serving. Try it yourself (your own traceparent makes the trace id yours):'));
  say(`  curl -i ${gatewayUrl}/clients -H 'content-type: application/json' -H ${tp} \\`);
  say(`       -d '{"client_id":"my-app","client_secret":"my-long-secret"}'`);
  say(`  curl -i ${gatewayUrl}/oauth2/token -u my-app:my-long-secret -d grant_type=client_credentials -H ${tp}`);
  say(`  curl -i ${gatewayUrl}/clients/my-app -H ${tp}`);
  say();
  if (provider !== 'jaeger') {
    say(s.bold('Send the traces to Jaeger instead:'));
    say(`  docker run --rm --name jaeger -p 16686:16686 -p 6831:6831/udp -p 5778:5778 ${JAEGER_IMAGE}`);
    say('  TRACING_PROVIDER=jaeger npm run quickstart        # then open http://localhost:16686');
  } else {
    say(
      s.bold('The traces are in Jaeger:') +
        ` ${(process.env.JAEGER_UI_URL ?? 'http://localhost:16686').replace(/\/+$/, '')}`,
    );
  }
  say('  or everything in containers: docker compose -f quickstart.yml -f quickstart-tracing.yml up --build');
  say();
  say(s.dim('Ctrl-C stops everything.'));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`quickstart: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
