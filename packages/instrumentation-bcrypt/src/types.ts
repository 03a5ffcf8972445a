import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Options of {@link BcryptInstrumentation}. Every option is optional. */
export interface BcryptInstrumentationConfig extends InstrumentationConfig {
  /**
   * Whether the instrumentation patches `bcrypt` and `bcryptjs` when they are loaded.
   * @default true
   */
  enabled?: boolean;
  /**
   * Create spans only inside an active span (a request, a job), so that start-up work such as
   * seeding users does not create one orphan trace per call. `false` traces every call.
   * @default true
   */
  requireParentSpan?: boolean;
}

/** The library a span came from: the value of `bcrypt.library`. */
export type BcryptLibrary = 'bcrypt' | 'bcryptjs';
