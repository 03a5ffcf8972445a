/**
 * TLS files for an https collector, from the variables the upstream OTLP exporters read
 * (OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE; the TRACES_
 * one wins), so that switching to the lean exporter keeps a configured private CA or client
 * certificate working. A file that cannot be read is reported and left out, as upstream does.
 */
import { diag } from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export function tlsFilesFromEnv(env: NodeJS.ProcessEnv = process.env): TlsFiles {
  const files: TlsFiles = {};
  const ca = read(env, 'CERTIFICATE');
  const cert = read(env, 'CLIENT_CERTIFICATE');
  const key = read(env, 'CLIENT_KEY');
  if (ca) files.ca = ca;
  if (cert) files.cert = cert;
  if (key) files.key = key;
  return files;
}

function read(env: NodeJS.ProcessEnv, suffix: string): Buffer | undefined {
  const path = env[`OTEL_EXPORTER_OTLP_TRACES_${suffix}`]?.trim() || env[`OTEL_EXPORTER_OTLP_${suffix}`]?.trim();
  if (!path) return undefined;
  try {
    return readFileSync(resolve(process.cwd(), path));
  } catch {
    diag.warn(
      `@tracepack/provider-otlp: cannot read the file of OTEL_EXPORTER_OTLP_[TRACES_]${suffix} (${path}); exporting without it.`,
    );
    return undefined;
  }
}
