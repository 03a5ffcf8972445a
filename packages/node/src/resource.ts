import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ResolvedTracingConfig } from '@tracepack/config';
import { arch, hostname, type as osType } from 'node:os';

/**
 * service.name / service.version / deployment.environment.name, plus host and process
 * attributes that identify no person. OpenTelemetry's default process detector is not
 * used on purpose: it records `process.owner` (a user name) and the command line (which
 * can carry secrets).
 */
export function buildResource(config: ResolvedTracingConfig): Resource {
  const attributes: Record<string, string | number> = {
    'service.name': config.service_name ?? 'unknown_service:node',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.distro.name': 'tracepack',
    'host.name': hostname(),
    'host.arch': arch(),
    'os.type': osType().toLowerCase(),
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  };
  if (config.service_version) attributes['service.version'] = config.service_version;
  if (config.deployment_environment) attributes['deployment.environment.name'] = config.deployment_environment;
  return resourceFromAttributes(attributes);
}
