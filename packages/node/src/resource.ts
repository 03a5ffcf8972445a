import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { SDK_INFO } from '@opentelemetry/core';
import { containerDetector } from '@opentelemetry/resource-detector-container';
import {
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  type DetectedResource,
  type ResourceDetector,
  type Resource,
} from '@opentelemetry/resources';
import type { ResolvedTracingConfig } from '@tracepack/config';
import { basename } from 'node:path';
import { SettlingResource } from './settling-resource';

/**
 * What the process detector records that can name a person or carry a secret, dropped as it
 * is detected (so not even a debug line of detectResources shows them): the user name (`process.owner`); the command line, whose arguments can
 * hold passwords and tokens (`process.command_line`, `process.command_args`); and the script
 * and executable paths (`process.command`, `process.executable.path`), which hold the user's
 * home directory whenever Node.js or the service lives under it (nvm, a checkout in ~).
 * `process.executable.name` is kept as a base name: the detector takes it from
 * `process.title`, which is the full path of node when a process is spawned by its path.
 */
export const PRIVATE_RESOURCE_ATTRIBUTES: readonly string[] = [
  'process.owner',
  'process.command_line',
  'process.command_args',
  'process.command',
  'process.executable.path',
];

/**
 * The resource of every span, lowest precedence first:
 * - detected by the OpenTelemetry detectors: host (host.name, host.arch, host.id), os, process
 *   (pid, executable name, runtime; see {@link PRIVATE_RESOURCE_ATTRIBUTES}) and container
 *   (container.id). host.id and container.id are read from files asynchronously: start-up does
 *   not wait for them, exports do (see SettlingResource);
 * - telemetry.sdk.* and telemetry.distro.name;
 * - `resource_attributes`: the file's, TRACING_RESOURCE_ATTRIBUTES, OTEL_RESOURCE_ATTRIBUTES
 *   (every key) and the K8S_* downward-API variables, resolved by @tracepack/config;
 * - service.name, service.version, deployment.environment.name from their own keys.
 *
 * The environment detectors of @opentelemetry/resources are not used: @tracepack/config reads
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME already, from the `env` it was given and with
 * their precedence (TRACING_SERVICE_NAME beats OTEL_SERVICE_NAME), where the detectors read
 * `process.env` and would put OTEL_SERVICE_NAME back over a name set in code.
 */
export function buildResource(config: ResolvedTracingConfig): Resource {
  const detected = detectResources({
    detectors: [hostDetector, osDetector, new PrivateProcessDetector(), containerDetector],
  });
  const settled: Attributes = {};
  const detecting: Array<[string, PromiseLike<unknown>]> = [];
  const seen = new Set<string>();
  // Raw attributes list the winner of a key first (later detectors win a merge).
  for (const [key, value] of detected.getRawAttributes()) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (isPromiseLike(value)) detecting.push([key, value]);
    else if (value !== undefined) settled[key] = value as AttributeValue;
  }
  Object.assign(
    settled,
    {
      'telemetry.sdk.name': SDK_INFO['telemetry.sdk.name'],
      'telemetry.sdk.language': SDK_INFO['telemetry.sdk.language'],
      'telemetry.sdk.version': SDK_INFO['telemetry.sdk.version'],
      'telemetry.distro.name': 'tracepack',
    },
    config.resource_attributes ?? {},
    { 'service.name': config.service_name ?? 'unknown_service:node' },
    config.service_version ? { 'service.version': config.service_version } : {},
    config.deployment_environment ? { 'deployment.environment.name': config.deployment_environment } : {},
  );
  return new SettlingResource(settled, detecting);
}

/** OpenTelemetry's process detector without {@link PRIVATE_RESOURCE_ATTRIBUTES}. */
class PrivateProcessDetector implements ResourceDetector {
  detect(): DetectedResource {
    const attributes = { ...processDetector.detect().attributes };
    for (const key of PRIVATE_RESOURCE_ATTRIBUTES) delete attributes[key];
    const name = attributes['process.executable.name'];
    if (typeof name === 'string') attributes['process.executable.name'] = basename(name);
    return { attributes };
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | undefined)?.then === 'function';
}
