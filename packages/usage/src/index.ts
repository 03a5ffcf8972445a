export { startUsage } from './start';
export type { ActivityIds, ServiceFacts, StartUsageOptions, UsageHandle, UsageStats } from './types';
export { UsageSpanProcessor } from './span-processor';
export type { EndedSpanLike } from './span-processor';
export { previewUsage, renderUsagePreview } from './preview';
export type { CapturedRequest, UsagePreview } from './preview';
export { METRIC as USAGE_METRICS } from './metric-names';
export { SqaConfigError, loadSqaConfig, renderSqaConfigHelp } from '@tracepack/config';
export type { SqaConfig, ResolvedSqaConfig } from '@tracepack/config';
