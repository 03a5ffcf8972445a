// The pieces of the tour, reused by the tests (test/src/examples-tour.test.ts).
export { startStack, serviceMain, portOr, splitLines, stopChild } from './stack';
export type { ServiceName, Stack, StartStackOptions } from './stack';
export { runStep, tourSteps, TOUR_CLIENT_ID, TOUR_CLIENT_SECRET } from './steps';
export type { StepResult, TourStep } from './steps';
export { newTraceParent } from './trace-context';
export type { TraceParent } from './trace-context';
export { startTourCollector, fitToWidth, waitForCount, TOUR_REPORT_INTERVAL } from './usage';
export type { StartTourCollectorOptions, TourCollector } from './usage';
export { wrapWords } from './output';
