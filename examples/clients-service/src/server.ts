// Loaded by main.ts once tracing has started: everything it imports (express, pg, mysql2,
// bcrypt) is loaded after the instrumentations are in place.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TracingHandle } from '@tracepack/node';
import type { UsageHandle } from '@tracepack/usage';
import { createApp } from './app';
import { MysqlClientRepository } from './db/mysql';
import { PostgresClientRepository } from './db/postgres';
import type { ClientRepository } from './db/repository';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { hashSecret } from './passwords';
import type { ServiceSettings } from './settings';

const log = (line: string): void => console.log(`clients-service: ${line}`);

/** Opens the database, creates the table, listens; stops cleanly on SIGTERM and SIGINT. */
export async function runService(
  settings: ServiceSettings,
  tracing: TracingHandle,
  usage?: UsageHandle,
): Promise<void> {
  let embedded: EmbeddedPostgres | undefined;
  let repository: ClientRepository;
  if (settings.mysqlUrl) {
    repository = new MysqlClientRepository(settings.mysqlUrl);
  } else if (settings.databaseUrl) {
    repository = new PostgresClientRepository(settings.databaseUrl);
  } else {
    embedded = await startEmbeddedPostgres({ log });
    // The embedded database runs one statement at a time: a few connections are plenty.
    repository = new PostgresClientRepository(embedded.url, 'embedded PostgreSQL', { max: 4 });
  }
  await repository.init();

  const app = createApp({
    repository,
    bcryptCost: settings.bcryptCost,
    tokenTtlSeconds: settings.tokenTtlSeconds,
    dummyHash: await hashSecret(randomBytes(16).toString('hex'), settings.bcryptCost),
    usage,
  });
  const server = app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  const tracingState = tracing.enabled ? `tracing: ${tracing.config.provider}` : 'tracing: off';
  log(`listening on http://${host}:${port} (${tracingState})`);
  log(`database: ${repository.description}; bcrypt cost ${settings.bcryptCost}`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      // A second Ctrl-C: do not wait any longer.
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping`);
    server.close();
    server.closeIdleConnections();
    const forceTimer = setTimeout(() => server.closeAllConnections(), 2000).unref();
    try {
      await new Promise<void>((resolve) => server.once('close', () => resolve()));
      clearTimeout(forceTimer);
      await repository.close();
      await embedded?.stop();
    } catch (err) {
      console.error(`clients-service: error while stopping: ${(err as Error).message}`);
    } finally {
      // The last usage report, then pending spans, with those of the requests that just finished.
      await usage?.shutdown();
      await tracing.shutdown();
      process.exit(0);
    }
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}
