export { BcryptInstrumentation } from './instrumentation';
export type { BcryptInstrumentationConfig, BcryptLibrary } from './types';
export {
  ATTR_BCRYPT_LIBRARY,
  ATTR_BCRYPT_SYNC,
  ATTR_BCRYPT_WORK_FACTOR,
  SPAN_BCRYPT_COMPARE,
  SPAN_BCRYPT_GEN_SALT,
  SPAN_BCRYPT_HASH,
} from './attributes';
export { BcryptConfigError, BcryptErrorCode, SUPPORTED_VERSIONS } from './utils';
