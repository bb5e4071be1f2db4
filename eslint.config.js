// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The plain-JS entry points and smoke scripts run on Node; TypeScript files get their globals from @types/node.
const NODE_GLOBALS = Object.fromEntries(['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((g) => [g, 'readonly']));

export default tseslint.config(
  { ignores: ['node_modules/**', '**/.state/**', '.flowlog/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    // type information for the promise rules below (the whole of recommendedTypeChecked flags
    // every use of the peers' free-form JSON in tests: noise, not bugs)
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // a promise nobody awaits or catches is a lost error or an unordered write: the ledger depends on order
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // errors are typed (FlowlogError with codes): never throw a string or an object literal
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    rules: {
      // `{ drop: _, ...rest }` is how the code leaves out a field; `_x` marks a deliberately unused name
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: NODE_GLOBALS } },
  {
    files: ['**/test/**', '**/*.test.ts'],
    rules: {
      // tests read peers' free-form JSON (the Elastic corpus, generated blobs) and assert on its shape
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
