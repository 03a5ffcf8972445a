export { OtlpTraceEncoder } from './trace-request';
