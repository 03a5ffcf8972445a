// CI can never skip the real tier by accident: with the servers missing, the e2e rule fails
// under every common spelling of CI and skips (with the install command) only outside CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isCI } from '@tracepack/testing';

const emptyCache = mkdtempSync(join(tmpdir(), 'tracepack-no-servers-'));
after(() => rmSync(emptyCache, { recursive: true, force: true }));

/** e2eSkip() in a child whose server cache is empty, under the given CI value. */
function e2eRuleWith(ci: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TRACEPACK_CACHE: emptyCache, PATH: '/nonexistent' };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  const script = "const r = require('@tracepack/testing').e2eSkip(); console.log(JSON.stringify(r));";
  return spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', cwd: join(__dirname, '..', '..') });
}

describe('CI rules', () => {
  for (const spelling of ['true', '1', 'TRUE', 'True', 'yes']) {
    it(`CI=${spelling}: missing e2e servers fail the run instead of skipping`, () => {
      assert.equal(isCI({ CI: spelling }), true);
      const r = e2eRuleWith(spelling);
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, new RegExp(`tracepack e2e: CI is set \\(CI=${spelling}\\) but e2e servers missing`));
    });
  }

  for (const value of [undefined, '', 'false', '0']) {
    it(`CI=${value === undefined ? '(unset)' : JSON.stringify(value)}: missing servers skip with the install command`, () => {
      assert.equal(isCI(value === undefined ? {} : { CI: value }), false);
      const r = e2eRuleWith(value);
      assert.equal(r.status, 0, r.stderr);
      assert.match(JSON.parse(r.stdout) as string, /install-servers\.sh/);
    });
  }

  it('.ci/run exports CI itself, so the tier is on whoever runs the script', () => {
    const script = readFileSync(join(__dirname, '..', '..', '..', '.ci', 'run'), 'utf8');
    assert.match(script, /^export CI=true$/m);
  });
});
