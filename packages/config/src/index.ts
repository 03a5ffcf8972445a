export type { TracingConfig, ResolvedTracingConfig } from './config-types';
export type { TracingProviderSetup, TracingProviderFactory } from './provider';
export { PROVIDER_PACKAGES } from './provider';
