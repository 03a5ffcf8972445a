// bcrypt 5 and bcryptjs 2, resolved from the fixture workspaces compat/bcrypt-5 and
// compat/bcryptjs-2 (createRequire), against the same suite as the current versions.
import { createSpanCapture } from '@tracepack/testing';
import { after } from 'node:test';
import { BcryptInstrumentation } from '../src/index';
import { OLDER_LIBRARIES } from './helpers';
import { describeLibrary } from './suite';

const capture = createSpanCapture();
const instrumentation = new BcryptInstrumentation();
after(async () => {
  instrumentation.disable();
  await capture.shutdown();
});

for (const lut of OLDER_LIBRARIES) describeLibrary(lut, capture);
