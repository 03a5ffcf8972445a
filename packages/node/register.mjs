// `node --import @tracepack/node/register app.mjs`: the same start-up as the CommonJS
// register, then the import-in-the-middle loader so that ESM imports are instrumented too.
//
// The loader runs as synchronous, in-thread hooks (`module.registerHooks`) wherever the
// runtime runs them correctly (22.22.3+, 24.11.1+, 26): no loader thread, and no
// `[DEP0205] module.register() is deprecated` warning on Node 26. Only older 22.x/24.x
// releases fall back to the asynchronous `module.register` loader, which is not deprecated
// there. With tracing off, no loader is registered, and import-in-the-middle is not even
// loaded: imports cost what they cost without tracepack.
import * as nodeModule from 'node:module';

const { tracingStarted } = nodeModule.createRequire(import.meta.url)('./dist/src/register.js');

if (tracingStarted) {
  const { supportsSyncHooks } = await import('import-in-the-middle/supports-sync-hooks.mjs');
  if (supportsSyncHooks()) {
    const { register } = await import('import-in-the-middle/register-hooks.mjs');
    register();
  } else {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  }
}
