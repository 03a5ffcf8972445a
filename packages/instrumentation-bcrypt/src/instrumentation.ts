import { context, createContextKey, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ProblemReporter, versionsFor } from '@tracepack/core';
import { types as utilTypes } from 'node:util';
import { ATTR_BCRYPT_LIBRARY, ATTR_BCRYPT_SYNC, ATTR_BCRYPT_WORK_FACTOR } from './attributes';
import { PATCHED_METHODS } from './internal-types';
import type { AnyFunction, MethodSpec, PatchedMethod } from './internal-types';
import type { BcryptInstrumentationConfig, BcryptLibrary } from './types';
import {
  isEsmNamespace,
  isThenable,
  METHOD_SPECS,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  resolveConfig,
  safeError,
  SUPPORTED_VERSIONS,
} from './utils';

/**
 * Set in the context a patched call runs the library in. A patched function called while it is
 * set (bcrypt's `hash(pw, 10)` calls its own exported `genSalt`; bcryptjs 2's `compare` calls
 * `hash`) runs untraced, so one call of the application makes one span.
 */
const INSIDE_BCRYPT = createContextKey('@tracepack/instrumentation-bcrypt inside a traced call');

type Nodule = Record<string, unknown>;

/**
 * Spans for `hash`, `compare` and `genSalt` of `bcrypt` (>=5 <7) and `bcryptjs` (>=2 <4), in their
 * promise, callback and sync forms, with the work factor. Never records the password, salt or hash.
 */
export class BcryptInstrumentation extends InstrumentationBase<BcryptInstrumentationConfig> {
  /** Each kind of runtime problem is logged through `diag` once, then counted (@tracepack/core). */
  private readonly _problems = new ProblemReporter({ packageName: PACKAGE_NAME, level: 'warn' });

  constructor(config: BcryptInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /** Validates like the constructor: a bad option throws a `TypeError` with code `TRACEPACK_BCRYPT_INVALID_OPTION`. */
  override setConfig(config: BcryptInstrumentationConfig = {}): void {
    super.setConfig(resolveConfig(config));
  }

  /** How many runtime tracing problems were swallowed (each reported through `diag`). */
  get tracingProblemCount(): number {
    return this._problems.total;
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return (['bcrypt', 'bcryptjs'] as const).map(
      (library) =>
        new InstrumentationNodeModuleDefinition(
          library,
          versionsFor(SUPPORTED_VERSIONS, library),
          (moduleExports: unknown) => this._patchModule(moduleExports, library),
          (moduleExports: unknown) => this._unpatchModule(moduleExports),
        ),
    );
  }

  /**
   * The objects whose functions are patched: the CommonJS `module.exports`; for an ESM import,
   * the namespace (named imports, live bindings) and its `default` export (the CommonJS exports
   * of `bcrypt` and `bcryptjs` 2, the default object of `bcryptjs` 3).
   */
  private _targets(moduleExports: unknown): Nodule[] {
    if (!isEsmNamespace(moduleExports)) {
      return typeof moduleExports === 'object' && moduleExports !== null ? [moduleExports as Nodule] : [];
    }
    const namespace = moduleExports as Nodule;
    const targets = [namespace];
    const fallback = namespace['default'];
    if (
      (typeof fallback === 'object' || typeof fallback === 'function') &&
      fallback !== null &&
      fallback !== namespace
    ) {
      targets.push(fallback as Nodule);
    }
    return targets;
  }

  private _patchModule(moduleExports: unknown, library: BcryptLibrary): unknown {
    for (const target of this._targets(moduleExports)) {
      for (const method of PATCHED_METHODS) {
        try {
          if (typeof target[method] !== 'function') continue;
          this._wrap(target, method, (original) => this._patchedMethod(original as AnyFunction, method, library));
        } catch (err) {
          this._problems.failure(`patching ${library}.${method}`, { error: err });
        }
      }
    }
    // For ESM, returning the namespace itself tells import-in-the-middle to keep its `default`.
    return moduleExports;
  }

  private _unpatchModule(moduleExports: unknown): void {
    for (const target of this._targets(moduleExports)) {
      for (const method of PATCHED_METHODS) {
        try {
          const current = target[method];
          if (!isWrapped(current)) continue;
          if (utilTypes.isProxy(target)) {
            // An import-in-the-middle namespace: shimmer's unwrap would not reach the binding.
            Object.defineProperty(target, method, {
              value: (current as unknown as { __original: unknown }).__original,
            });
          } else {
            this._unwrap(target, method);
          }
        } catch (err) {
          this._problems.failure(`unpatching ${method}`, { error: err });
        }
      }
    }
  }

  private _patchedMethod(original: AnyFunction, method: PatchedMethod, library: BcryptLibrary): AnyFunction {
    const instrumentation = this;
    const spec = METHOD_SPECS[method];
    return function patchedBcryptMethod(this: unknown, ...args: unknown[]): unknown {
      const call = instrumentation._begin(spec, library, args);
      if (call === undefined) return original.apply(this, args);
      return instrumentation._run(call, spec, library, original, this, args);
    };
  }

  /** Starts the span, or returns undefined when this call is not traced. Never throws. */
  private _begin(spec: MethodSpec, library: BcryptLibrary, args: readonly unknown[]): TracedCall | undefined {
    try {
      const parentContext = context.active();
      if (parentContext.getValue(INSIDE_BCRYPT) === true) return undefined;
      if (this.getConfig().requireParentSpan !== false && trace.getSpan(parentContext) === undefined) return undefined;
      const attributes: Record<string, string | number | boolean> = {
        [ATTR_BCRYPT_LIBRARY]: library,
        [ATTR_BCRYPT_SYNC]: spec.sync,
      };
      const workFactor = spec.workFactor(args, library);
      if (workFactor !== undefined) attributes[ATTR_BCRYPT_WORK_FACTOR] = workFactor;
      const span = this.tracer.startSpan(spec.spanName, { kind: SpanKind.INTERNAL, attributes }, parentContext);
      const innerContext = trace.setSpan(parentContext, span).setValue(INSIDE_BCRYPT, true);
      return { span, parentContext, innerContext, ended: false };
    } catch (err) {
      this._problems.failure(`starting a ${spec.spanName} span`, { error: err });
      return undefined;
    }
  }

  /** Runs the library inside the span; what the library returns or throws reaches the caller unchanged. */
  private _run(
    call: TracedCall,
    spec: MethodSpec,
    library: BcryptLibrary,
    original: AnyFunction,
    thisArg: unknown,
    args: unknown[],
  ): unknown {
    let callArgs = args;
    let hasCallback = false;
    try {
      const index = spec.callbackIndex(args, library);
      const callback = index >= 0 ? args[index] : undefined;
      if (typeof callback === 'function') {
        callArgs = args.slice();
        callArgs[index] = this._wrapCallback(call, callback as AnyFunction);
        hasCallback = true;
      }
    } catch (err) {
      this._problems.failure(`wrapping the callback of ${spec.spanName}`, { error: err });
      callArgs = args;
      hasCallback = false;
    }

    let result: unknown;
    try {
      result = context.with(call.innerContext, () => original.apply(thisArg, callArgs));
    } catch (err) {
      this._end(call, err);
      throw err;
    }

    if (spec.sync) {
      this._end(call, undefined);
      return result;
    }
    if (isThenable(result)) {
      try {
        return result.then(
          (value) => {
            this._end(call, undefined);
            return value;
          },
          (err: unknown) => {
            this._end(call, err);
            throw err;
          },
        );
      } catch (err) {
        this._problems.failure(`following the promise of ${spec.spanName}`, { error: err });
        this._end(call, undefined);
        return result;
      }
    }
    // Callback form: the span ends when the library calls back. Neither callback nor promise: now.
    if (!hasCallback) this._end(call, undefined);
    return result;
  }

  /** Ends the span first, then calls the application's callback in the caller's context. */
  private _wrapCallback(call: TracedCall, callback: AnyFunction): AnyFunction {
    const instrumentation = this;
    const inCallerContext = context.bind(call.parentContext, callback);
    return function tracedBcryptCallback(this: unknown, ...cbArgs: unknown[]): unknown {
      instrumentation._end(call, cbArgs[0] ?? undefined);
      return inCallerContext.apply(this, cbArgs);
    };
  }

  /** Ends the span once; an error gets status ERROR with its type and a message that cannot quote the input. */
  private _end(call: TracedCall, err: unknown): void {
    if (call.ended) return;
    call.ended = true;
    try {
      if (err) {
        const { type, message } = safeError(err);
        call.span.recordException({ name: type, message });
        call.span.setAttribute(ATTR_ERROR_TYPE, type);
        call.span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
      call.span.end();
    } catch (problem) {
      this._problems.failure('ending a span', { error: problem });
    }
  }
}

interface TracedCall {
  readonly span: Span;
  readonly parentContext: Context;
  readonly innerContext: Context;
  ended: boolean;
}
