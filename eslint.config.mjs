// One lint configuration for the whole monorepo (`npm run lint`, called by .ci/run before the
// tests). Formatting is Prettier's job (.prettierrc.json): eslint-config-prettier turns off every
// stylistic rule here so the two never disagree. The rules beyond the recommended sets are the
// habits of the codebases we imitate (../shared/STYLE.md): no `export *` (opentelemetry-js), one
// naming rule for private members (a `_` prefix on `private` members, as opentelemetry-js does;
// no `#private` fields), and type-only imports kept type-only.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'bench/results/**',
      // Generated at build time by packages/config/scripts/generate-validators.mjs (ajv standalone).
      'packages/config/src/*-validator.ts',
      // Generated from the JSON Schemas by packages/config/scripts/generate-*types.mjs.
      'packages/config/src/config-types.ts',
      'packages/config/src/sqa-config-types.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'No `export *`: list what a module exports so the public surface is visible.',
        },
        {
          selector: 'PrivateIdentifier',
          message: 'Private members use `private _name`, not `#name` (one way, as opentelemetry-js does).',
        },
      ],
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'memberLike', modifiers: ['private'], format: null, leadingUnderscore: 'require' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Off: the sanitizers, validators and terminal view match control characters and ANSI
      // escapes on purpose (stripping them is their job).
      'no-control-regex': 'off',
      // A patched function keeps its own `this` and reaches the instrumentation through a named
      // alias, as opentelemetry-js-contrib's instrumentations do.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['instrumentation', 'self'] }],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // CommonJS fixtures and scripts.
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
