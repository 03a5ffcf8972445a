/*
 * Jaeger's sampling strategy JSON -> SamplingStrategy. Two shapes reach us, with the same field
 * names:
 * - v1 (sampling.thrift, Jaeger 1.x agents and collectors): `"strategyType": "PROBABILISTIC"`
 *   or `"RATE_LIMITING"`;
 * - v2 (api_v2 sampling.proto as JSON, Jaeger v2's remote_sampling extension): the enum as a
 *   number, `"strategyType": 0` (PROBABILISTIC) or `1` (RATE_LIMITING).
 *
 * Which strategy decides follows the Jaeger clients (and OpenTelemetry's Java and JS remote
 * samplers): non-empty `operationSampling.perOperationStrategies` -> per operation; otherwise
 * `strategyType`. Anything missing or out of range that the chosen strategy needs makes the
 * whole answer unusable: it throws, and the poll counts as failed.
 */
import type { SamplingStrategy } from './internal-types';

/** Why an answer is not a strategy; the message is safe for a log line (no answer text beyond a short value). */
export class StrategyError extends Error {}

const STRATEGY_TYPES: ReadonlyMap<unknown, 'probabilistic' | 'rateLimiting'> = new Map<
  unknown,
  'probabilistic' | 'rateLimiting'
>([
  ['PROBABILISTIC', 'probabilistic'],
  [0, 'probabilistic'],
  ['RATE_LIMITING', 'rateLimiting'],
  [1, 'rateLimiting'],
]);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value for a message: short, and only what the server sent for that one field. */
function show(v: unknown): string {
  const text = v === undefined ? 'missing' : (JSON.stringify(v) ?? String(v));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function object(parent: Json, key: string, path: string): Json {
  const v = parent[key];
  if (!isObject(v)) throw new StrategyError(`${path}${key} is ${v === undefined ? 'missing' : 'not an object'}`);
  return v;
}

function probability(parent: Json, key: string, path: string): number {
  const v = parent[key];
  if (typeof v !== 'number' || !(v >= 0 && v <= 1))
    throw new StrategyError(`${path}${key} is ${show(v)}, not a number from 0 to 1`);
  return v;
}

function rate(parent: Json, key: string, path: string): number {
  const v = parent[key];
  if (typeof v !== 'number' || !(v >= 0 && Number.isFinite(v)))
    throw new StrategyError(`${path}${key} is ${show(v)}, not a number of at least 0`);
  return v;
}

/** A parsed JSON answer -> the strategy it asks for; throws StrategyError when it cannot be applied. */
export function parseSamplingStrategy(answer: unknown): SamplingStrategy {
  if (!isObject(answer)) throw new StrategyError('the answer is not a JSON object');
  const ops = answer.operationSampling;
  if (isObject(ops) && Array.isArray(ops.perOperationStrategies) && ops.perOperationStrategies.length > 0) {
    const path = 'operationSampling.';
    return {
      type: 'perOperation',
      defaultSamplingProbability: probability(ops, 'defaultSamplingProbability', path),
      defaultLowerBoundTracesPerSecond: rate(ops, 'defaultLowerBoundTracesPerSecond', path),
      operations: ops.perOperationStrategies.map((entry: unknown, i) => {
        const at = `${path}perOperationStrategies[${i}].`;
        if (!isObject(entry)) throw new StrategyError(`${at.slice(0, -1)} is not an object`);
        if (typeof entry.operation !== 'string')
          throw new StrategyError(`${at}operation is ${show(entry.operation)}, not a string`);
        const sampling = object(entry, 'probabilisticSampling', at);
        return {
          operation: entry.operation,
          samplingRate: probability(sampling, 'samplingRate', `${at}probabilisticSampling.`),
        };
      }),
    };
  }
  const type = STRATEGY_TYPES.get(answer.strategyType);
  if (type === 'probabilistic') {
    return {
      type,
      samplingRate: probability(object(answer, 'probabilisticSampling', ''), 'samplingRate', 'probabilisticSampling.'),
    };
  }
  if (type === 'rateLimiting') {
    return {
      type,
      maxTracesPerSecond: rate(
        object(answer, 'rateLimitingSampling', ''),
        'maxTracesPerSecond',
        'rateLimitingSampling.',
      ),
    };
  }
  throw new StrategyError(
    `strategyType is ${show(answer.strategyType)}, not one of "PROBABILISTIC", "RATE_LIMITING" (v1) or 0, 1 (v2)`,
  );
}

/** The strategy in a few words, for toString() and log lines. */
export function describeStrategy(strategy: SamplingStrategy): string {
  switch (strategy.type) {
    case 'probabilistic':
      return `probabilistic ${strategy.samplingRate}`;
    case 'rateLimiting':
      return `rate limiting ${strategy.maxTracesPerSecond}/s`;
    case 'perOperation':
      return (
        `per operation (${strategy.operations.length} operation(s), default probabilistic ${strategy.defaultSamplingProbability}` +
        `, lower bound ${strategy.defaultLowerBoundTracesPerSecond}/s)`
      );
  }
}
