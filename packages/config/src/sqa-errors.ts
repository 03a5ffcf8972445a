import { TracepackConfigError, type ConfigIssue } from './errors';

/**
 * A refused `sqa:` config: a TracepackConfigError (same codes, same handling by whoever
 * already catches those), whose message names the sqa block.
 */
export class SqaConfigError extends TracepackConfigError {
  constructor(issues: readonly ConfigIssue[]) {
    super(issues, 'sqa');
  }
}
