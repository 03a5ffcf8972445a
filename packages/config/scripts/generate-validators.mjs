#!/usr/bin/env node
// Compiles schema/tracing.schema.json and schema/sqa.schema.json into validator code at build
// time (ajv's standalone code generation), written to src/tracing-validator.ts and
// src/sqa-validator.ts, committed like src/config-types.ts. At run time the package loads that
// code, never ajv: compiling the schema cost a service about 85 ms at every start, and loading
// ajv itself as much again, even with tracing off.
//
// The options are those the validators were compiled with at run time before (allErrors,
// useDefaults, strict, allowUnionTypes), so the errors, and the messages built from them in
// validate.ts and sqa-validate.ts, are the same. Custom formats come from src/formats.ts
// (`FORMATS[name].validate`), and so does `ucs2length`, the one ajv runtime helper the code
// uses (minLength counts code points); any other `require("ajv...")` fails the generation.
//
//   node packages/config/scripts/generate-validators.mjs          write (only files that change)
//   node packages/config/scripts/generate-validators.mjs --check  exit 1 when a file is stale
//
// TRACEPACK_CONFIG_DIR=<dir> reads <dir>/schema and writes (or checks) <dir>/src instead of this
// package's: the test of the check uses it on a copy whose schema was changed.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const { _ } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;
const ajvVersion = require('ajv/package.json').version;

const here = process.env.TRACEPACK_CONFIG_DIR
  ? `${process.env.TRACEPACK_CONFIG_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('..', import.meta.url));

/** Every `format` a schema names. */
function formatsOf(node, out = new Set()) {
  if (Array.isArray(node)) for (const n of node) formatsOf(n, out);
  else if (node && typeof node === 'object') {
    if (typeof node.format === 'string') out.add(node.format);
    for (const v of Object.values(node)) formatsOf(v, out);
  }
  return out;
}

function generate(name, keywords) {
  const file = `schema/${name}.schema.json`;
  const schema = JSON.parse(readFileSync(`${here}${file}`, 'utf8'));
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strict: true,
    allowUnionTypes: true,
    code: { source: true, esm: true, lines: true, formats: _`require("./formats").FORMATS` },
  });
  for (const keyword of keywords) ajv.addKeyword({ keyword, schemaType: 'boolean' });
  // Only the name and type matter here: the generated code calls FORMATS[name].validate.
  for (const format of formatsOf(schema)) ajv.addFormat(format, { type: 'string', validate: () => true });
  let code = standaloneCode(ajv, ajv.compile(schema));
  code = code.replaceAll('require("ajv/dist/runtime/ucs2length").default', 'require("./formats").ucs2length');
  const left = code.match(/require\("ajv[^"]*"\)/);
  if (left)
    throw new Error(
      `generate-validators: the ${name} validator needs ${left[0]} at run time; provide it in src/formats.ts`,
    );
  return (
    '// @ts-nocheck\n' +
    `/* Generated from ${file} by scripts/generate-validators.mjs (ajv ${ajvVersion} standalone code): do not edit. */\n` +
    `${code.trimEnd()}\n`
  );
}

const outputs = [
  [`${here}src/tracing-validator.ts`, generate('tracing', ['x-secret', 'x-merge-keys'])],
  [`${here}src/sqa-validator.ts`, generate('sqa', ['x-secret'])],
];

const check = process.argv.includes('--check');
let stale = false;
for (const [target, text] of outputs) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current === text) continue;
  if (check) {
    console.error(
      `${target.slice(here.length)} is stale: run \`node packages/config/scripts/generate-validators.mjs\` (npm run build does)`,
    );
    stale = true;
  } else {
    writeFileSync(target, text);
  }
}
if (stale) process.exit(1);
