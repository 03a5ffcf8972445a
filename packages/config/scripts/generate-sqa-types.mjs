#!/usr/bin/env node
// Generates src/sqa-config-types.ts from schema/sqa.schema.json, as generate-types.mjs does for
// the tracing block: SqaConfig (what a user writes) and ResolvedSqaConfig (every key with a
// default present). `--check` exits 1 when the file is stale.
import { compile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('..', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(`${here}schema/sqa.schema.json`, 'utf8'));

const required = Object.keys(schema.properties).filter((k) => schema.properties[k].default !== undefined);
const options = {
  bannerComment: '',
  additionalProperties: false,
  style: { singleQuote: true },
  strictIndexSignatures: false,
};
const input = await compile(schema, 'SqaConfig', options);
const resolved = await compile(
  { ...schema, required, title: 'ResolvedSqaConfig', description: 'The sqa config after precedence and defaults.' },
  'ResolvedSqaConfig',
  options,
);
const ts = `/* Generated from schema/sqa.schema.json by scripts/generate-sqa-types.mjs: do not edit. */\n${input}\n${resolved}`;
const target = `${here}src/sqa-config-types.ts`;
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== ts) {
    console.error('src/sqa-config-types.ts is stale: run `node packages/config/scripts/generate-sqa-types.mjs`');
    process.exit(1);
  }
} else {
  writeFileSync(target, ts);
}
