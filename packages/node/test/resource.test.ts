import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { hostDetector } from '@opentelemetry/resources';
import { loadTracingConfig, type ResolvedTracingConfig } from '@tracepack/config';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { buildResource, PRIVATE_RESOURCE_ATTRIBUTES } from '../src/resource';
import { SettlingResource } from '../src/settling-resource';

/** Every diag line, by level, while a test runs. */
function recordDiag(): Record<'error' | 'warn' | 'debug', string[]> {
  const lines = { error: [] as string[], warn: [] as string[], debug: [] as string[] };
  const logger: DiagLogger = {
    error: (m) => void lines.error.push(m),
    warn: (m) => void lines.warn.push(m),
    info: () => {},
    debug: (m) => void lines.debug.push(m),
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return lines;
}
afterEach(() => diag.disable());

function config(tracing: Record<string, unknown>): ResolvedTracingConfig {
  return loadTracingConfig({ config: { provider: 'console', ...tracing }, env: {} }).config;
}

describe('buildResource', () => {
  it('returns at once: the asynchronous detections (host.id) join when they settle, without an error before', async () => {
    const lines = recordDiag();
    const resource = buildResource(config({ service_name: 'svc' }));
    assert.equal(resource.asyncAttributesPending, true, 'start-up does not wait for the machine id');
    assert.equal(resource.attributes['service.name'], 'svc');
    assert.equal(resource.attributes['host.id'], undefined);
    await resource.waitForAsyncAttributes!();
    assert.equal(resource.asyncAttributesPending, false);
    const hostId = await hostDetector.detect().attributes?.['host.id'];
    assert.equal(resource.attributes['host.id'], hostId || undefined);
    assert.equal(resource.attributes['host.name'], hostDetector.detect().attributes?.['host.name']);
    assert.deepEqual(lines.error, [], 'no "accessing resource attributes before async attributes settled"');
    assert.deepEqual(lines.warn, []);
  });

  it('drops what names the user or carries the command line, and keeps the executable as a base name', async () => {
    const resource = buildResource(config({}));
    await resource.waitForAsyncAttributes!();
    for (const key of PRIVATE_RESOURCE_ATTRIBUTES) assert.equal(resource.attributes[key], undefined, key);
    assert.equal(resource.attributes['process.pid'], process.pid);
    assert.doesNotMatch(String(resource.attributes['process.executable.name']), /\//);
    assert.equal(resource.attributes['process.runtime.name'], 'nodejs');
  });

  it('resource_attributes win over detected ones; service keys win over resource_attributes', () => {
    const resource = buildResource(
      config({
        service_name: 'svc',
        service_version: '1.2.3',
        deployment_environment: 'prod',
        resource_attributes: {
          'host.name': 'pinned-host',
          'service.name': 'not-this',
          team: 'payments',
          'k8s.pod.name': 'pod-1',
        },
      }),
    );
    assert.equal(resource.attributes['host.name'], 'pinned-host');
    assert.equal(resource.attributes['service.name'], 'svc');
    assert.equal(resource.attributes['service.version'], '1.2.3');
    assert.equal(resource.attributes['deployment.environment.name'], 'prod');
    assert.equal(resource.attributes.team, 'payments');
    assert.equal(resource.attributes['k8s.pod.name'], 'pod-1');
    assert.equal(resource.attributes['telemetry.distro.name'], 'tracepack');
  });
});

describe('SettlingResource', () => {
  it('leaves out a detection that found nothing, silently, where the SDK resource warns', async () => {
    const lines = recordDiag();
    const resource = new SettlingResource({ a: 1 }, [
      ['container.id', Promise.resolve(undefined)],
      ['host.id', Promise.resolve('m-1')],
      ['broken', Promise.reject(new Error('unreadable'))],
      ['a', Promise.resolve(2)],
    ]);
    assert.deepEqual(resource.attributes, { a: 1 });
    await resource.waitForAsyncAttributes();
    assert.deepEqual(resource.attributes, { 'host.id': 'm-1', a: 1 }, 'settled attributes win over detected ones');
    assert.deepEqual([...lines.warn, ...lines.error], []);
    const merged = resource.merge(null);
    assert.deepEqual(merged.attributes, { 'host.id': 'm-1', a: 1 });
  });
});
