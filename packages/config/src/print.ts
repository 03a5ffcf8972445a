import { stringifyYaml as stringify } from './yaml';
import type { ResolvedTracingConfig } from './config-types';
import { isPlainObject, setOwn } from './layers';
import { maskUrlSecrets } from './redact';
import { isSecretPath } from './schema';

/**
 * A deep copy with every secret value (authorization header, header values) replaced by `****`,
 * and the password of every URL by `***` (`http://user:***@collector:4318`).
 */
export function maskSecrets(config: ResolvedTracingConfig): ResolvedTracingConfig {
  const walk = (value: unknown, path: string[]): unknown => {
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) setOwn(out, k, walk(v, [...path, k]));
      return out;
    }
    if (value !== undefined && value !== '' && isSecretPath(path)) return '****';
    if (typeof value === 'string') return maskUrlSecrets(value);
    return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? maskUrlSecrets(v) : v)) : value;
  };
  return walk(config, []) as ResolvedTracingConfig;
}

/** The resolved config as YAML under `tracing:`, secrets masked. */
export function printTracingConfig(config: ResolvedTracingConfig): string {
  return stringify({ tracing: maskSecrets(config) });
}

/** One line: what will happen (provider, endpoint, sampling). Never shows a secret (URL passwords masked). */
export function summarizeTracingConfig(config: ResolvedTracingConfig): string {
  if (config.provider === '') return 'tracing is off (no provider set)';
  const { where, sampling } = destination(config);
  // A sampler set for every provider replaces the provider's own sampling.
  return maskUrlSecrets(
    `${config.provider}: service ${config.service_name} -> ${where}; ${config.sampler?.type ? `sampler ${samplerSummary(config)}` : sampling}`,
  );
}

function samplerSummary(config: ResolvedTracingConfig): string {
  const { type, ratio, jaeger_remote: remote } = config.sampler;
  if (type.endsWith('traceidratio')) return `${type}, ratio ${ratio}`;
  if (type.endsWith('jaeger_remote'))
    return `${type} from ${remote.endpoint}, ratio ${remote.initial_sampling_rate} until it answers`;
  return type;
}

/** Where spans go, and how the provider samples new traces. */
function destination(config: ResolvedTracingConfig): { where: string; sampling: string } {
  switch (config.provider) {
    case 'jaeger': {
      const j = config.providers.jaeger;
      const where = j.collector_endpoint
        ? `collector ${j.collector_endpoint}`
        : `agent udp://${j.local_agent_address} (${j.local_agent_address.endsWith(':6832') ? 'binary' : 'compact'} thrift)`;
      const sampling = j.sampling.server_url
        ? `remote sampling from ${j.sampling.server_url}, ratio ${j.sampling.trace_id_ratio} until it answers`
        : `sampling ratio ${j.sampling.trace_id_ratio}`;
      return { where, sampling: `${sampling}; parent-based` };
    }
    case 'zipkin':
      return {
        where: config.providers.zipkin.server_url,
        sampling: `sampling ratio ${config.providers.zipkin.sampling.sampling_ratio}; parent-based`,
      };
    case 'otlp': {
      const o = config.providers.otlp;
      const auth = o.authorization_header || Object.keys(o.headers).length ? ', with auth headers' : '';
      const details = `${o.protocol}${o.compression === 'gzip' ? ', gzip' : ''}${o.protocol === 'grpc' && o.insecure ? ', insecure' : ''}${auth}`;
      return {
        where: `${o.traces_endpoint ?? o.server_url} (${details})`,
        sampling: `sampling ratio ${o.sampling.sampling_ratio}; parent-based`,
      };
    }
    default:
      return { where: 'waterfall on stdout', sampling: 'every trace sampled' };
  }
}
