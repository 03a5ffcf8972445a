// What other packages (the quickstart tour, tests) reuse. Starts nothing.
export {
  DEFAULT_CONFIG_FILE,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_UPSTREAM_URL,
  configFileFrom,
  loadSettings,
} from './settings';
export type { GatewaySettings } from './settings';
