export { createHttpInstrumentations } from './instrumentation';
export { TracepackHttpServerInstrumentation } from './server';
export type { HttpInstrumentationConfig, HttpServerRouteMessage, SupportedVersions } from './types';
export { HTTP_SERVER_ROUTE_CHANNEL } from './frameworks';
export { HttpInstrumentationConfigError, HttpInstrumentationErrorCode } from './errors';
export {
  DEFAULT_IGNORE_PATHS,
  ID_PLACEHOLDER,
  SUPPORTED_VERSIONS,
  httpInstrumentationProblems,
  isIdLike,
  scrubPath,
} from './utils';
