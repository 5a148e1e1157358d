// Lint runs inside `npm test`. Generated FlatBuffers code is excluded: it is
// checked instead by test/unit/schemas-generated.test.ts (regeneration = no diff).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'src/core/codec/generated/**', 'src/ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', performance: 'readonly', Atomics: 'readonly',
        SharedArrayBuffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly',
        queueMicrotask: 'readonly', setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // const enums are how the hot path names integer codes without objects.
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
