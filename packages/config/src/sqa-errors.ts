import { TracepackConfigError, type ConfigIssue } from './errors';

/**
 * A refused `sqa:` config: a TracepackConfigError (same codes, same handling by whoever
 * already catches those), whose message names the sqa block.
 */
export class SqaConfigError extends TracepackConfigError {
  constructor(issues: readonly ConfigIssue[]) {
    super(issues);
    const lines = this.issues.map((i) => `  - ${i.message} [${i.code}]`);
    const head = issues.length === 1 ? 'invalid sqa config' : `invalid sqa config (${issues.length} errors)`;
    this.message = `@tracepack/config: ${head}:\n${lines.join('\n')}`;
    this.name = 'SqaConfigError';
  }
}
