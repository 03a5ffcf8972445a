// The lint rules the project promises (CONTRIBUTING.md) are the ones the root configuration
// enforces: each is checked here on a small planted source, through ESLint's own API with
// eslint.config.mjs, so that a rule dropped from the configuration fails this test. And CI runs
// the lint before the tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}
interface ESLintLike {
  lintText(code: string, options: { filePath: string }): Promise<{ messages: LintMessage[] }[]>;
}

async function lint(code: string, file = 'packages/core/src/planted.ts'): Promise<LintMessage[]> {
  // ESLint 10 is ESM-only; the compiled test is CommonJS, so it is imported dynamically.
  const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<{
    ESLint: new (o: { cwd: string }) => ESLintLike;
  }>;
  const { ESLint } = await dynamicImport('eslint');
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, file) });
  return result!.messages;
}

describe('lint rules (eslint.config.mjs)', () => {
  it('`export *` is an error', async () => {
    const messages = await lint("export * from './errors';\n");
    assert.ok(
      messages.some((m) => m.ruleId === 'no-restricted-syntax' && /export \*/.test(m.message)),
      JSON.stringify(messages),
    );
  });

  it('a private member without the `_` prefix is an error; `private _name` passes', async () => {
    const bad = await lint(
      'export class A {\n  private count = 0;\n  get value(): number {\n    return this.count;\n  }\n}\n',
    );
    assert.ok(
      bad.some((m) => m.ruleId === '@typescript-eslint/naming-convention'),
      JSON.stringify(bad),
    );
    const good = await lint(
      'export class A {\n  private _count = 0;\n  get value(): number {\n    return this._count;\n  }\n}\n',
    );
    assert.deepEqual(good, []);
  });

  it('a `#name` private field is an error (one way for private members)', async () => {
    const messages = await lint(
      'export class A {\n  #count = 0;\n  get value(): number {\n    return this.#count;\n  }\n}\n',
    );
    assert.ok(
      messages.some((m) => m.ruleId === 'no-restricted-syntax' && /private _name/.test(m.message)),
      JSON.stringify(messages),
    );
  });

  it('generated files are not linted', async () => {
    const messages = await lint('var x = 1\n', 'packages/config/src/tracing-validator.ts');
    assert.ok(
      messages.every((m) => m.ruleId === null),
      JSON.stringify(messages),
    );
  });

  it('`npm run lint` runs ESLint with no warnings allowed and Prettier in check mode; .ci/run calls it before the tests', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.lint!, /eslint --max-warnings 0 \./);
    assert.match(pkg.scripts.lint!, /prettier --check \./);
    const script = readFileSync(join(root, '.ci', 'run'), 'utf8').split('\n');
    const lintLine = script.indexOf('npm run lint');
    const testLine = script.indexOf('npm test');
    assert.ok(lintLine > 0 && testLine > lintLine, 'npm run lint comes before npm test in .ci/run');
  });
});
