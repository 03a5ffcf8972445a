/** Variant (a): the service with no tracing at all. */
import { runServerChild } from './child';

runServerChild(undefined);
