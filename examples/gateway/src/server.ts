import type { AddressInfo } from 'node:net';
import type { TracingHandle } from '@tracepack/node';
import { createGateway } from './proxy';
import type { GatewaySettings } from './settings';

const log = (line: string): void => console.log(`gateway: ${line}`);

/** Listens; stops cleanly on SIGTERM and SIGINT (in-flight requests finish, spans are flushed). */
export async function runGateway(settings: GatewaySettings, tracing: TracingHandle): Promise<void> {
  const server = createGateway(settings);
  server.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  const tracingState = tracing.enabled ? `tracing: ${tracing.config.provider}` : 'tracing: off';
  log(`listening on http://${host}:${port} (${tracingState})`);
  log(`forwarding /clients and /oauth2 to ${settings.upstreamUrl}`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`${signal}: stopping`);
    server.close();
    server.closeIdleConnections();
    const forceTimer = setTimeout(() => server.closeAllConnections(), 2000).unref();
    await new Promise<void>((resolve) => server.once('close', () => resolve()));
    clearTimeout(forceTimer);
    await tracing.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}
