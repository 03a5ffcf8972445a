import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grpcUrl, tracesUrl } from '../src/index';

describe('tracesUrl', () => {
  it('appends /v1/traces to a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is read', () => {
    assert.equal(tracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('https://gateway.example/otlp'), 'https://gateway.example/otlp/v1/traces');
    assert.equal(tracesUrl('https://gateway.example/otlp/'), 'https://gateway.example/otlp/v1/traces');
  });

  it('keeps a URL that already names the traces endpoint', () => {
    assert.equal(tracesUrl('http://collector:4318/v1/traces'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('https://gateway.example/otlp/v1/traces?x=1'), 'https://gateway.example/otlp/v1/traces?x=1');
  });
});

describe('grpcUrl', () => {
  it('turns the schema default (the HTTP port) into the gRPC port', () => {
    assert.equal(grpcUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4317');
  });
  it('keeps any URL that was chosen', () => {
    assert.equal(grpcUrl('http://collector:4317'), 'http://collector:4317');
    assert.equal(grpcUrl('https://collector:4318'), 'https://collector:4318');
  });
});
