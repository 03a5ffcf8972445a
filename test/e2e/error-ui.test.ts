// A failed request looks failed where users look: the example stack (gateway in front of
// clients-service, the quickstart's embedded PostgreSQL) runs the tour's first two steps twice,
// once exporting to real Zipkin (provider zipkin) and once to real Jaeger (README's agent
// config). The 409 `POST /clients` is then read back
//   (a) from Zipkin's API: the root SERVER spans of the gateway and of clients-service, and
//       every span whose status is ERROR, carry the `error` tag (Zipkin's only failure mark);
//   (b) from Jaeger's API: `error=true` on both roots;
//   (c) in Zipkin's own UI (Lens, served by the server jar), in headless Chromium: Lens puts a
//       red "error outline" icon (an <svg> of class MuiSvgIcon-colorError) in front of the
//       `service: name` label of each span row whose span has an `error` tag, and lists the tag
//       in the span's detail panel. Both root rows must have the icon, the bcrypt.hash row must
//       not; the page must log no errors; a screenshot goes to test/e2e/output/zipkin-409.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@tracepack/example-clients-service';
import { runStep, startStack, tourSteps, type Stack, type StepResult } from '@tracepack/example-quickstart';
import { launchBrowser } from '@tracepack/testing';
import { cleanEnv, pollUntil, startJaegerAndZipkin, tagOf, waitForJaegerTraceId } from './helpers';
import {
  e2eSkip,
  jaegerServiceOf,
  normalizeTraceId,
  zipkinTrace,
  type JaegerServer,
  type JaegerSpan,
  type JaegerTrace,
  type ZipkinApiSpan,
  type ZipkinServer,
} from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers (or chromium) are not installed

const BCRYPT_COST = 5;
/** test/e2e/output (gitignored), from test/dist/e2e. */
const OUTPUT_DIR = join(__dirname, '..', '..', 'e2e', 'output');
const SCREENSHOT = join(OUTPUT_DIR, 'zipkin-409.png');

type Backend = 'zipkin' | 'jaeger';

/** A span row of Lens's timeline, as the page script below reads it. */
interface TimelineRow {
  /** The row's label, `service: span name` (Zipkin lower-cases span names). */
  label: string;
  /** Whether the row holds Lens's error icon (svg.MuiSvgIcon-colorError) beside the label. */
  errorIcon: boolean;
  /** The icon's computed colour, e.g. `rgb(244, 67, 54)`. */
  iconColor: string | null;
}

/** The span detail panel (right-hand side) of Lens: the selected span and its tags. */
interface SpanDetail {
  service: string | null;
  spanId: string | null;
  tags: Record<string, string>;
}

// Page scripts: plain JavaScript run in the page (the tests' tsconfig has no DOM types).

/** The timeline's span rows: leaf <div>s whose text is `service: name`, with the icon beside them. */
const TIMELINE_ROWS = `(() => {
  const rows = [];
  for (const el of document.querySelectorAll('main div')) {
    if (el.childElementCount !== 0) continue;
    const label = (el.textContent || '').trim();
    if (!/^(gateway|clients-service): ./.test(label)) continue;
    const icon = el.parentElement && el.parentElement.querySelector('svg[class*="MuiSvgIcon-colorError"]');
    rows.push({ label, errorIcon: Boolean(icon), iconColor: icon ? getComputedStyle(icon).color : null });
  }
  return rows;
})()`;

/** The detail panel: the values under the "Service name" and "Span ID" captions, and the "Tags" table. */
const SPAN_DETAIL = `(() => {
  const valueOf = (caption) => {
    const el = [...document.querySelectorAll('main span')].find((s) => s.textContent.trim() === caption);
    return el && el.nextElementSibling ? el.nextElementSibling.textContent.trim() : null;
  };
  const title = [...document.querySelectorAll('main p')].find((p) => p.textContent.trim() === 'Tags');
  const section = title && title.parentElement && title.parentElement.parentElement;
  const tags = {};
  if (section) {
    for (const tr of section.querySelectorAll('tr')) {
      const cells = tr.querySelectorAll('td');
      if (cells.length === 2) tags[cells[0].textContent.trim()] = cells[1].textContent.trim();
    }
  }
  return { service: valueOf('Service name'), spanId: valueOf('Span ID'), tags };
})()`;

/** Clicks the timeline row labelled `label` (Lens then shows that span in the detail panel). */
function clickRow(label: string): string {
  return `(() => {
    const el = [...document.querySelectorAll('main div')].find((d) => d.childElementCount === 0 && (d.textContent || '').trim() === ${JSON.stringify(label)});
    if (!el) return false;
    el.click();
    return true;
  })()`;
}

/** True for a red: the red channel well above green and blue. */
function isRed(color: string | null): boolean {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(color ?? '');
  if (!m) return false;
  const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return r >= 150 && r - g >= 80 && r - b >= 80;
}

describe("e2e: a failed request looks failed in Zipkin's API and UI and in Jaeger", { skip }, () => {
  let jaeger: JaegerServer | undefined;
  let zipkin: ZipkinServer | undefined;
  let db: EmbeddedPostgres | undefined;
  const stacks: Stack[] = [];
  const output: string[] = [];
  const results = new Map<Backend, StepResult[]>();

  /** Both services' environment for `backend`: the provider and where it sends. */
  function envFor(backend: Backend): NodeJS.ProcessEnv {
    const base = { ...cleanEnv(), BCRYPT_COST: String(BCRYPT_COST) };
    if (backend === 'zipkin') {
      assert.ok(zipkin);
      return { ...base, TRACING_PROVIDER: 'zipkin', TRACING_PROVIDERS_ZIPKIN_SERVER_URL: zipkin.spansUrl };
    }
    assert.ok(jaeger);
    return {
      ...base,
      TRACING_PROVIDER: 'jaeger',
      TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS: `127.0.0.1:${jaeger.agentCompactPort}`,
      TRACING_PROVIDERS_JAEGER_SAMPLING_SERVER_URL: `${jaeger.samplingUrl}/sampling`,
    };
  }

  /** Starts the stack exporting to `backend` and sends the tour's create, then create again (409). */
  async function runTour(backend: Backend): Promise<void> {
    const stack = await startStack({
      databaseUrl: db!.url,
      servicePort: 0,
      gatewayPort: 0,
      env: envFor(backend),
      onLine: (service, line) => output.push(`${backend} ${service}: ${line}`),
    });
    stacks.push(stack);
    const clientId = `e2e-error-ui-${backend}-${Date.now().toString(36)}`;
    const steps: StepResult[] = [];
    for (const step of tourSteps(clientId).slice(0, 2)) steps.push(await runStep(stack.gatewayUrl, step));
    results.set(backend, steps);
  }

  before(async () => {
    ({ jaeger, zipkin } = await startJaegerAndZipkin());
    db = await startEmbeddedPostgres();
    // Both stacks at once, on the one database (different client ids); settled, so that a
    // failing one never leaves the other running past after().
    const runs = await Promise.allSettled([runTour('zipkin'), runTour('jaeger')]);
    for (const run of runs) if (run.status === 'rejected') throw run.reason;
  });

  after(async () => {
    await Promise.all(stacks.map((s) => s.stop()));
    await db?.stop();
    await Promise.all([jaeger?.stop(), zipkin?.stop()]);
  });

  function conflict(backend: Backend): StepResult {
    const steps = results.get(backend);
    assert.ok(steps, `the tour did not run against ${backend}`);
    const step = steps[1];
    assert.ok(
      step && step.status === 409,
      `${backend}: ${steps.map((r) => `${r.step.title}: ${r.status} ${r.body}`).join('\n')}`,
    );
    return step;
  }

  /** What the last lines of both stacks said, for failure messages. */
  const outputTail = (): string => output.slice(-40).join('\n');

  // --- Zipkin: the trace through its API ----------------------------------------------------

  const serviceOf = (s: ZipkinApiSpan): string | undefined => s.localEndpoint?.serviceName;
  const describeZipkin = (spans: ZipkinApiSpan[] | undefined): string =>
    JSON.stringify((spans ?? []).map((s) => `${serviceOf(s)}:${s.kind ?? 'INTERNAL'}:${s.name}`));

  let zipkinTraceOnce: Promise<ZipkinApiSpan[]> | undefined;
  /** The 409's trace from `/api/v2/trace/<id>`, once both services' spans are in. */
  function zipkinConflictTrace(): Promise<ZipkinApiSpan[]> {
    return (zipkinTraceOnce ??= (async () => {
      assert.ok(zipkin);
      const traceId = conflict('zipkin').traceId;
      let last: ZipkinApiSpan[] | undefined;
      return pollUntil(
        () => `no complete Zipkin trace ${traceId}; last: ${describeZipkin(last)}\n${outputTail()}`,
        20_000,
        async () => {
          last = await zipkinTrace(zipkin!.queryUrl, traceId);
          const has = (service: string, pred: (s: ZipkinApiSpan) => boolean): boolean =>
            (last ?? []).some((s) => serviceOf(s) === service && pred(s));
          const complete =
            has('gateway', (s) => s.kind === 'SERVER') &&
            has('gateway', (s) => s.kind === 'CLIENT') &&
            has('clients-service', (s) => s.kind === 'SERVER') &&
            has('clients-service', (s) => s.name === 'bcrypt.hash') &&
            has('clients-service', (s) => (s.name ?? '').startsWith('insert'));
          return complete ? last : undefined;
        },
        200,
      );
    })());
  }

  function zipkinSpan(spans: ZipkinApiSpan[], service: string, pred: (s: ZipkinApiSpan) => boolean): ZipkinApiSpan {
    const span = spans.find((s) => serviceOf(s) === service && pred(s));
    assert.ok(span, `no such ${service} span in ${describeZipkin(spans)}`);
    return span;
  }

  test('the stacks answer 201, then 409 for the same client', () => {
    for (const backend of ['zipkin', 'jaeger'] as const) {
      const steps = results.get(backend) ?? [];
      assert.deepEqual(
        steps.map((r) => r.status),
        [201, 409],
        `${backend}: ${steps.map((r) => `${r.step.title}: ${r.status} ${r.body}`).join('\n')}`,
      );
    }
  });

  test("(a) Zipkin's API: both root SERVER spans of the 409 carry the `error` tag, as every ERROR span", async () => {
    const spans = await zipkinConflictTrace();
    const gatewayRoot = zipkinSpan(spans, 'gateway', (s) => s.kind === 'SERVER');
    const serviceRoot = zipkinSpan(spans, 'clients-service', (s) => s.kind === 'SERVER');
    for (const root of [gatewayRoot, serviceRoot]) {
      const where = `${serviceOf(root)} ${root.name}: ${JSON.stringify(root.tags)}`;
      assert.equal(root.name, 'post /clients', where);
      assert.equal(root.tags?.['http.response.status_code'], '409', where);
      assert.equal(root.tags?.['otel.status_code'], 'ERROR', where);
      assert.equal(root.tags?.error, '409', `the root has no error tag (Zipkin shows it as fine): ${where}`);
    }
    assert.equal(
      gatewayRoot.parentId,
      conflict('zipkin').parentSpanId,
      'the gateway root continues the tour traceparent',
    );
    // Every span that ended with status ERROR is marked (the INSERT with its driver message),
    // and a span that did not fail is not.
    for (const span of spans) {
      if (span.tags?.['otel.status_code'] === 'ERROR')
        assert.ok(span.tags.error, `${serviceOf(span)} ${span.name} is ERROR without an error tag`);
    }
    assert.ok(zipkinSpan(spans, 'clients-service', (s) => (s.name ?? '').startsWith('insert')).tags?.error);
    assert.equal(zipkinSpan(spans, 'clients-service', (s) => s.name === 'bcrypt.hash').tags?.error, undefined);
  });

  // --- Jaeger: the same request through its API ---------------------------------------------

  test("(b) Jaeger's API: error=true on both root SERVER spans of the 409", async () => {
    assert.ok(jaeger);
    const result = conflict('jaeger');
    const trace: JaegerTrace = await waitForJaegerTraceId(
      jaeger.queryUrl,
      result.traceId,
      (t) =>
        t.spans.some((s) => jaegerServiceOf(t, s) === 'gateway' && tagOf(s, 'span.kind') === 'server') &&
        t.spans.some((s) => jaegerServiceOf(t, s) === 'clients-service' && tagOf(s, 'span.kind') === 'server') &&
        t.spans.some((s) => jaegerServiceOf(t, s) === 'clients-service' && s.operationName === 'bcrypt.hash'),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${outputTail()}`);
    });
    assert.equal(normalizeTraceId(trace.traceID), normalizeTraceId(result.traceId));
    const by = (service: string, pred: (s: JaegerSpan) => boolean): JaegerSpan => {
      const span = trace.spans.find((s) => jaegerServiceOf(trace, s) === service && pred(s));
      assert.ok(
        span,
        `no such ${service} span in ${JSON.stringify(trace.spans.map((s) => `${jaegerServiceOf(trace, s)}:${s.operationName}`))}`,
      );
      return span;
    };
    for (const service of ['gateway', 'clients-service']) {
      const root = by(service, (s) => tagOf(s, 'span.kind') === 'server');
      assert.equal(root.operationName, 'POST /clients');
      assert.equal(Number(tagOf(root, 'http.response.status_code')), 409);
      assert.equal(tagOf(root, 'error'), true, `${service}: ${JSON.stringify(root.tags)}`);
    }
    assert.equal(
      tagOf(
        by('clients-service', (s) => s.operationName === 'bcrypt.hash'),
        'error',
      ),
      undefined,
    );
  });

  // --- Zipkin's own UI, in headless Chromium -----------------------------------------------

  test("(c) Zipkin's UI marks both roots of the 409 as errors; screenshot in test/e2e/output/zipkin-409.png", async (t) => {
    assert.ok(zipkin);
    const spans = await zipkinConflictTrace(); // the UI reads the same API: wait until it is all there
    const gatewayRoot = zipkinSpan(spans, 'gateway', (s) => s.kind === 'SERVER');
    const serviceRoot = zipkinSpan(spans, 'clients-service', (s) => s.kind === 'SERVER');
    const traceId = conflict('zipkin').traceId;

    const browser = await launchBrowser();
    t.after(() => browser.close());
    const page = await browser.open(`${zipkin.queryUrl}/zipkin/traces/${traceId}`);

    // The screenshot is written also when a check fails: it shows what Lens showed.
    let png: Buffer | undefined;
    try {
      // Rendered: a row per span, the two roots, bcrypt.hash and the INSERT among them.
      const rows = await page.waitFor<TimelineRow[]>(
        `(() => { const rows = ${TIMELINE_ROWS}; return rows.length >= ${spans.length} ? rows : null; })()`,
        { timeoutMs: 30_000, what: `Lens rendering the ${spans.length} span rows of trace ${traceId}` },
      );
      const row = (label: string): TimelineRow => {
        const found = rows.find((r) => r.label === label);
        assert.ok(found, `no row "${label}" among ${JSON.stringify(rows.map((r) => r.label))}`);
        return found;
      };
      for (const label of ['gateway: post /clients', 'clients-service: post /clients']) {
        const root = row(label);
        assert.ok(root.errorIcon, `Lens does not mark "${label}" as an error: ${JSON.stringify(rows)}`);
        assert.ok(isRed(root.iconColor), `the error icon of "${label}" is not red: ${root.iconColor}`);
      }
      const insert = rows.find((r) => r.label.startsWith('clients-service: insert'));
      assert.ok(insert?.errorIcon, `the failing INSERT is not marked: ${JSON.stringify(rows)}`);
      assert.equal(row('clients-service: bcrypt.hash').errorIcon, false, 'bcrypt.hash did not fail, yet Lens marks it');

      // The detail panel shows the trace's root (the gateway's SERVER span) first, with its tags.
      const gatewayDetail = await page.waitFor<SpanDetail>(
        `(() => { const d = ${SPAN_DETAIL}; return d.spanId === ${JSON.stringify(gatewayRoot.id)} && Object.keys(d.tags).length ? d : null; })()`,
        {
          what: `the detail panel of the gateway's root span ${gatewayRoot.id}`,
        },
      );
      assert.equal(gatewayDetail.service, 'gateway');
      assert.equal(gatewayDetail.tags.error, '409', JSON.stringify(gatewayDetail.tags));

      // Select clients-service's root: its detail lists `error` too; that is the screenshot.
      assert.equal(await page.evaluate<boolean>(clickRow('clients-service: post /clients')), true);
      const serviceDetail = await page.waitFor<SpanDetail>(
        `(() => { const d = ${SPAN_DETAIL}; return d.spanId === ${JSON.stringify(serviceRoot.id)} && Object.keys(d.tags).length ? d : null; })()`,
        {
          what: `the detail panel of clients-service's root span ${serviceRoot.id}`,
        },
      );
      assert.equal(serviceDetail.service, 'clients-service');
      assert.equal(serviceDetail.tags.error, '409', JSON.stringify(serviceDetail.tags));
      assert.equal(serviceDetail.tags['http.response.status_code'], '409');
    } finally {
      png = await page.screenshot(SCREENSHOT).catch(() => undefined);
    }
    assert.ok(png && png.length > 10_000, `no screenshot (${png?.length ?? 0} bytes)`);
    assert.deepEqual(page.consoleErrors, [], 'the page logged errors');
  });
});
