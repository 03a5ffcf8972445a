// What other packages (the quickstart tour, tests) reuse. Loads neither express nor a driver.
export { startEmbeddedPostgres } from './embedded-postgres';
export type { EmbeddedPostgres, StartEmbeddedPostgresOptions } from './embedded-postgres';
export { configFileFrom, DEFAULT_CONFIG_FILE, DEFAULT_PORT, loadSettings } from './settings';
export type { ServiceSettings } from './settings';
