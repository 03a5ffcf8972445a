// A headless Chromium driven over the Chrome DevTools Protocol, to check what a user sees in a
// web UI (Zipkin's Lens, an HTML report): launch, open a URL, evaluate an expression, wait for
// a condition, take a screenshot, collect the page's console errors, close. No npm package:
// Debian's chromium (`/usr/bin/chromium`, installed by test/e2e/install-servers.sh), its
// `--remote-debugging-port=0` and the `DevToolsActivePort` file it writes into the profile,
// and Node's built-in WebSocket (global since Node 22). Every wait has a deadline.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { chromiumPath } from './backends/install';
import {
  LOOPBACK,
  launch,
  logTail,
  makeTempDir,
  removeTempDir,
  sleep,
  terminate,
  type Running,
} from './backends/process';

export { chromiumPath };

/** Flags of a quiet, throw-away headless browser: no sandbox (CI runs as root), no network of its own. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--hide-scrollbars',
  '--mute-audio',
];

export interface LaunchBrowserOptions {
  /** @default chromiumPath(): `TRACEPACK_CHROMIUM`, else `/usr/bin/chromium` */
  executablePath?: string;
  /** Until the DevTools endpoint is up. @default 30000 */
  launchTimeoutMs?: number;
  /** Default deadline of each DevTools command. @default 15000 */
  commandTimeoutMs?: number;
  /** Viewport of every page, in CSS pixels. @default { width: 1400, height: 900 } */
  viewport?: { width: number; height: number };
  /** More command-line flags, after {@link CHROMIUM_FLAGS}. */
  args?: string[];
}

export interface OpenPageOptions {
  /** Until the document has loaded (`readyState` complete). @default 30000 */
  loadTimeoutMs?: number;
}

export interface WaitForOptions {
  /** @default 15000 */
  timeoutMs?: number;
  /** @default 100 */
  intervalMs?: number;
  /** What is awaited, for the error message. @default the expression */
  what?: string;
}

export interface ScreenshotOptions {
  /** The whole page, not only the viewport. @default false */
  fullPage?: boolean;
}

export interface BrowserPage {
  /** The URL opened. */
  readonly url: string;
  /**
   * Errors the page reported so far: `console.error`/`console.assert` calls, uncaught
   * exceptions and unhandled rejections, and the browser's own error log entries (a resource
   * that failed to load, a blocked request), each as one line.
   */
  readonly consoleErrors: readonly string[];
  /**
   * Evaluates `expression` in the page (a promise is awaited) and returns its value as JSON
   * gives it; throws with the page's exception when it throws.
   */
  evaluate<T = unknown>(expression: string, timeoutMs?: number): Promise<T>;
  /**
   * Evaluates `expression` every `intervalMs` until it is truthy and returns that value; throws
   * after the deadline with the last value or exception.
   */
  waitFor<T = unknown>(expression: string, options?: WaitForOptions): Promise<T>;
  /** A PNG of the viewport (or the whole page), also written to `path` (directories created) when given. */
  screenshot(path?: string, options?: ScreenshotOptions): Promise<Buffer>;
  /** Closes the page (its target). Idempotent. */
  close(): Promise<void>;
}

export interface Browser {
  /** The DevTools browser endpoint, `ws://127.0.0.1:P/devtools/browser/ID`. */
  readonly webSocketUrl: string;
  /** The profile dir (`--user-data-dir`), a fresh temp dir removed by close(). */
  readonly userDataDir: string;
  /** Opens `url` in a new page and waits until its document has loaded. */
  open(url: string, options?: OpenPageOptions): Promise<BrowserPage>;
  /** Closes the browser (Browser.close, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  close(): Promise<void>;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
  sessionId?: string;
}

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  description?: string;
  unserializableValue?: string;
}

interface ExceptionDetails {
  text: string;
  url?: string;
  lineNumber?: number;
  exception?: RemoteObject;
}

/** One WebSocket to the browser endpoint; pages are flat sessions on it. */
class CdpConnection {
  private readonly _ws: WebSocket;
  private readonly _pending = new Map<
    number,
    { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly _listeners = new Set<(message: CdpMessage) => void>();
  private _nextId = 1;
  private _closedError: Error | undefined;

  private constructor(ws: WebSocket) {
    this._ws = ws;
    ws.addEventListener('message', (event) => {
      let message: CdpMessage;
      try {
        message = JSON.parse(String(event.data)) as CdpMessage;
      } catch {
        return;
      }
      if (message.id !== undefined) {
        const pending = this._pending.get(message.id);
        if (!pending) return;
        this._pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.error) pending.reject(new Error(`CDP error ${message.error.code}: ${message.error.message}`));
        else pending.resolve(message.result ?? {});
        return;
      }
      for (const listener of this._listeners) listener(message);
    });
    ws.addEventListener('close', () => this._fail(new Error('the DevTools connection closed')));
    ws.addEventListener('error', () => this._fail(new Error('the DevTools connection failed')));
  }

  static connect(url: string, timeoutMs: number): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`tracepack browser: no DevTools connection to ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(new CdpConnection(ws));
      });
      ws.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error(`tracepack browser: cannot connect to ${url}`));
      });
    });
  }

  private _fail(err: Error): void {
    this._closedError ??= err;
    for (const [id, pending] of this._pending) {
      clearTimeout(pending.timer);
      pending.reject(err);
      this._pending.delete(id);
    }
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId: string | undefined,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    if (this._closedError) return Promise.reject(this._closedError);
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new Error(`tracepack browser: ${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this._pending.set(id, { resolve, reject, timer });
      this._ws.send(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }));
    });
  }

  /** Calls `listener` with every event; returns the unsubscribe function. */
  on(listener: (message: CdpMessage) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  close(): void {
    this._fail(new Error('the DevTools connection was closed'));
    try {
      this._ws.close();
    } catch {
      // already closed
    }
  }
}

function describeRemote(value: RemoteObject | undefined): string {
  if (!value) return '';
  if (value.value !== undefined) return typeof value.value === 'string' ? value.value : JSON.stringify(value.value);
  return value.unserializableValue ?? value.description ?? value.type;
}

function describeException(details: ExceptionDetails): string {
  const where = details.url ? ` (${details.url}:${(details.lineNumber ?? 0) + 1})` : '';
  const what = details.exception ? describeRemote(details.exception) : '';
  return `${details.text}${what ? ` ${what}` : ''}${where}`;
}

/** Reads `<profile>/DevToolsActivePort` (port, then the browser path) once Chromium writes it. */
async function devToolsEndpoint(
  profile: string,
  running: Running,
  logPath: string,
  timeoutMs: number,
): Promise<string> {
  const file = join(profile, 'DevToolsActivePort');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (running.child.exitCode !== null || running.child.signalCode !== null) {
      throw new Error(
        `tracepack browser: chromium exited (${running.child.exitCode ?? running.child.signalCode}) before DevTools was up:\n${logTail(logPath)}`,
      );
    }
    if (existsSync(file)) {
      const [port, path] = (await readFile(file, 'utf8')).split('\n').map((l) => l.trim());
      if (port && path && /^\d+$/.test(port)) return `ws://${LOOPBACK}:${port}${path}`;
    }
    if (Date.now() >= deadline)
      throw new Error(`tracepack browser: no ${file} within ${timeoutMs} ms:\n${logTail(logPath)}`);
    await sleep(50);
  }
}

/**
 * Starts a headless Chromium with a fresh profile in a temp dir and connects to it over the
 * DevTools protocol. Close it (`browser.close()`), in `after`/`t.after`.
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const executable = options.executablePath ?? chromiumPath();
  const launchTimeoutMs = options.launchTimeoutMs ?? 30_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 15_000;
  const viewport = options.viewport ?? { width: 1400, height: 900 };
  const dir = await makeTempDir('tracepack-chromium-');
  const profile = join(dir, 'profile');
  const logPath = join(dir, 'chromium.log');
  await mkdir(profile);
  const args = [
    ...CHROMIUM_FLAGS,
    `--user-data-dir=${profile}`,
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    `--window-size=${viewport.width},${viewport.height}`,
    ...(options.args ?? []),
    'about:blank',
  ];
  const running = launch(executable, args, logPath);
  let cdp: CdpConnection;
  let webSocketUrl: string;
  try {
    webSocketUrl = await devToolsEndpoint(profile, running, logPath, launchTimeoutMs);
    cdp = await CdpConnection.connect(webSocketUrl, Math.min(commandTimeoutMs, launchTimeoutMs));
  } catch (err) {
    await terminate(running, 'SIGKILL', 5000);
    await removeTempDir(dir).catch(() => undefined);
    throw err;
  }

  const pages = new Set<BrowserPage>();
  let closing: Promise<void> | undefined;

  const open = async (url: string, openOptions: OpenPageOptions = {}): Promise<BrowserPage> => {
    const loadTimeoutMs = openOptions.loadTimeoutMs ?? 30_000;
    const { targetId } = (await cdp.send(
      'Target.createTarget',
      { url: 'about:blank' },
      undefined,
      commandTimeoutMs,
    )) as { targetId: string };
    const { sessionId } = (await cdp.send(
      'Target.attachToTarget',
      { targetId, flatten: true },
      undefined,
      commandTimeoutMs,
    )) as { sessionId: string };
    const send = (
      method: string,
      params: Record<string, unknown> = {},
      timeoutMs = commandTimeoutMs,
    ): Promise<Record<string, unknown>> => cdp.send(method, params, sessionId, timeoutMs);

    const errors: string[] = [];
    const unsubscribe = cdp.on((message) => {
      if (message.sessionId !== sessionId || !message.params) return;
      const p = message.params;
      switch (message.method) {
        case 'Runtime.consoleAPICalled': {
          const type = p.type as string;
          if (type === 'error' || type === 'assert')
            errors.push(`console.${type}: ${((p.args as RemoteObject[]) ?? []).map(describeRemote).join(' ')}`);
          break;
        }
        case 'Runtime.exceptionThrown':
          errors.push(`uncaught: ${describeException(p.exceptionDetails as ExceptionDetails)}`);
          break;
        case 'Log.entryAdded': {
          const entry = p.entry as { level: string; source: string; text: string; url?: string };
          if (entry.level === 'error')
            errors.push(`${entry.source}: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
          break;
        }
      }
    });

    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      pages.delete(page);
      unsubscribe();
      await cdp.send('Target.closeTarget', { targetId }, undefined, commandTimeoutMs).catch(() => undefined);
    };

    const evaluate = async <T>(expression: string, timeoutMs = commandTimeoutMs): Promise<T> => {
      const result = (await send(
        'Runtime.evaluate',
        { expression, returnByValue: true, awaitPromise: true, timeout: timeoutMs },
        timeoutMs + 1000,
      )) as {
        result: RemoteObject;
        exceptionDetails?: ExceptionDetails;
      };
      if (result.exceptionDetails)
        throw new Error(
          `tracepack browser: ${expression.slice(0, 120)} threw: ${describeException(result.exceptionDetails)}`,
        );
      return result.result.value as T;
    };

    const page: BrowserPage = {
      url,
      consoleErrors: errors,
      evaluate,
      async waitFor<T>(expression: string, waitOptions: WaitForOptions = {}): Promise<T> {
        const timeoutMs = waitOptions.timeoutMs ?? 15_000;
        const intervalMs = waitOptions.intervalMs ?? 100;
        const deadline = Date.now() + timeoutMs;
        let last: string;
        for (;;) {
          const left = Math.max(1, deadline - Date.now());
          try {
            const value = await evaluate<T>(expression, Math.min(commandTimeoutMs, left));
            if (value) return value;
            last = `value ${JSON.stringify(value)}`;
          } catch (err) {
            last = (err as Error).message;
          }
          if (Date.now() >= deadline) break;
          await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
        }
        throw new Error(
          `tracepack browser: ${waitOptions.what ?? expression} not true within ${timeoutMs} ms on ${url} (last: ${last})`,
        );
      },
      async screenshot(path?: string, shotOptions: ScreenshotOptions = {}): Promise<Buffer> {
        const { data } = (await send('Page.captureScreenshot', {
          format: 'png',
          captureBeyondViewport: shotOptions.fullPage ?? false,
        })) as { data: string };
        const png = Buffer.from(data, 'base64');
        if (path) {
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, png);
        }
        return png;
      },
      close,
    };
    pages.add(page);

    try {
      await Promise.all([send('Page.enable'), send('Runtime.enable'), send('Log.enable')]);
      await send('Emulation.setDeviceMetricsOverride', {
        width: viewport.width,
        height: viewport.height,
        deviceScaleFactor: 1,
        mobile: false,
      });
      const nav = (await send('Page.navigate', { url }, loadTimeoutMs)) as { errorText?: string };
      if (nav.errorText) throw new Error(`tracepack browser: cannot open ${url}: ${nav.errorText}`);
      // Page.navigate answers once the navigation commits; the document has loaded when its
      // readyState is complete (polled: the context of the old document may still answer first).
      await page.waitFor(
        `document.readyState === 'complete' && (location.href !== 'about:blank' || ${JSON.stringify(url)} === 'about:blank')`,
        {
          timeoutMs: loadTimeoutMs,
          what: `the load of ${url}`,
        },
      );
    } catch (err) {
      await close();
      throw err;
    }
    return page;
  };

  return {
    webSocketUrl,
    userDataDir: profile,
    open,
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all([...pages].map((p) => p.close()));
        await cdp.send('Browser.close', {}, undefined, 5000).catch(() => undefined);
        cdp.close();
        await terminate(running, 'SIGTERM', 5000);
        await removeTempDir(dir).catch(() => undefined);
      })();
      return closing;
    },
  };
}
