export { createHttpInstrumentations } from './instrumentation';
export { TracepackHttpServerInstrumentation } from './server';
export type { HttpInstrumentationConfig, SupportedVersions } from './types';
export { HttpInstrumentationConfigError, HttpInstrumentationErrorCode } from './errors';
export {
  DEFAULT_IGNORE_PATHS,
  ID_PLACEHOLDER,
  SUPPORTED_VERSIONS,
  httpInstrumentationProblems,
  isIdLike,
  scrubPath,
} from './utils';
