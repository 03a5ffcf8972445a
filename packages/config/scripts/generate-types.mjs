#!/usr/bin/env node
// Generates src/config-types.ts from schema/tracing.schema.json, so the JSON Schema stays
// the single source of the TypeScript types. Two types come out: TracingConfig (what a user
// writes: everything optional) and ResolvedTracingConfig (after defaults: every key with a
// default is present). `--check` exits 1 when the file is stale.
import { compile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('..', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(`${here}schema/tracing.schema.json`, 'utf8'));

function requireDefaulted(node) {
  if (node.type !== 'object' || !node.properties) return node;
  const properties = {};
  for (const [key, child] of Object.entries(node.properties)) properties[key] = requireDefaulted(child);
  const required = Object.keys(properties).filter((k) => properties[k].default !== undefined);
  return { ...node, properties, required };
}

const options = {
  bannerComment: '',
  additionalProperties: false,
  style: { singleQuote: true },
  strictIndexSignatures: false,
};
const input = await compile(schema, 'TracingConfig', options);
const resolved = await compile(
  {
    ...requireDefaulted(schema),
    title: 'ResolvedTracingConfig',
    description: 'The tracing config after precedence and defaults.',
  },
  'ResolvedTracingConfig',
  options,
);
const ts = `/* Generated from schema/tracing.schema.json by scripts/generate-types.mjs: do not edit. */\n${input}\n${resolved}`;
const target = `${here}src/config-types.ts`;
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== ts) {
    console.error('src/config-types.ts is stale: run `npm run generate -w @tracepack/config`');
    process.exit(1);
  }
} else {
  writeFileSync(target, ts);
}
