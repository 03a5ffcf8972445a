// `node --import @tracepack/node/register app.mjs`: ESM modules are not loaded through
// require(), so the import-in-the-middle hook is registered first; then the same start-up
// as the CommonJS register runs.
import { createRequire, register } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
createRequire(import.meta.url)('./dist/src/register.js');
