// The one catalogue of error codes: every code is listed once, in this package's README table
// (which users read), and every code a package's source throws is in it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE, ERROR_CODES, isErrorCode } from '../src/index';

const PACKAGES_DIR = join(__dirname, '..', '..', '..');
const README = join(__dirname, '..', '..', 'README.md');

/** The rows of the README's "Error codes" table: code -> package (column padding allowed). */
function readmeCodes(): Map<string, string> {
  const text = readFileSync(README, 'utf8');
  const section = /^## Error codes\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1];
  assert.ok(section, 'the README has an "## Error codes" section');
  const rows = new Map<string, string>();
  for (const [, code, pkg] of section.matchAll(/^\|\s*`(TRACEPACK_[A-Z0-9_]+)`\s*\|\s*`([^`]+)`\s*\|/gm)) {
    assert.ok(!rows.has(code!), `${code} is listed twice in the README`);
    rows.set(code!, pkg!);
  }
  return rows;
}

/** Names that start with TRACEPACK_ but are environment variables, not error codes. */
const NOT_CODES = new Set([
  'TRACEPACK_ENABLE_TELEMETRY',
  'TRACEPACK_EXPORT_THREAD',
  'TRACEPACK_USAGE_DATA_DIR',
  'TRACEPACK_USAGE_API_KEY',
]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

describe('the error catalogue', () => {
  it('holds each code once, each named after what it is (TRACEPACK_<AREA>_<WHAT>)', () => {
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
    assert.ok(ERROR_CODES.length >= 20, `${ERROR_CODES.length} codes`);
    for (const code of ERROR_CODES) {
      assert.match(code, /^TRACEPACK_[A-Z0-9]+(_[A-Z0-9]+)+$/);
      assert.ok(isErrorCode(code));
      assert.match(ERROR_CATALOGUE[code].package, /^(@tracepack\/[a-z-]+|tracepack)$/);
    }
    assert.equal(isErrorCode('TRACEPACK_NO_SUCH_CODE'), false);
    assert.equal(isErrorCode('toString'), false, 'not a key of Object.prototype either');
  });

  it("is the README's table: no code missing there, none there that is not here, the same package", () => {
    const rows = readmeCodes();
    const missing = ERROR_CODES.filter((c) => !rows.has(c));
    const extra = [...rows.keys()].filter((c) => !isErrorCode(c));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    for (const code of ERROR_CODES) assert.equal(rows.get(code), ERROR_CATALOGUE[code].package, `package of ${code}`);
  });

  it('knows every code the packages write in their source (a new code must be added here and in the README)', () => {
    const seen = new Map<string, string>();
    for (const pkg of readdirSync(PACKAGES_DIR)) {
      // The test helpers' private codes are not something a user of the packages can see.
      if (pkg === 'testing') continue;
      const src = join(PACKAGES_DIR, pkg, 'src');
      if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
      for (const file of sourceFiles(src)) {
        for (const [, name] of readFileSync(file, 'utf8').matchAll(/['"`](TRACEPACK_[A-Z0-9_]+)['"`]/g))
          seen.set(name!, file);
      }
    }
    assert.ok(
      seen.has('TRACEPACK_CONFIG_UNKNOWN_KEY') && seen.has('TRACEPACK_SQL_UNKNOWN_OPTION'),
      'the scan finds codes',
    );
    const unknown = [...seen]
      .filter(([name]) => !NOT_CODES.has(name) && !isErrorCode(name))
      .map(([name, file]) => `${name} (${file})`);
    assert.deepEqual(unknown, []);
  });
});
