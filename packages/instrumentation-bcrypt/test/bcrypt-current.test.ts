// bcrypt 6 and bcryptjs 3, as installed in the root workspace, loaded with require().
import { createSpanCapture } from '@tracepack/testing';
import { after } from 'node:test';
import { BcryptInstrumentation } from '../src/index';
import { CURRENT_LIBRARIES } from './helpers';
import { describeLibrary } from './suite';

const capture = createSpanCapture();
const instrumentation = new BcryptInstrumentation();
after(async () => {
  instrumentation.disable();
  await capture.shutdown();
});

for (const lut of CURRENT_LIBRARIES) describeLibrary(lut, capture);
