import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/**', 'node_modules/**', 'examples/web/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/dsp/**', 'src/io/**', 'src/eval/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tensorflow/*'], message: 'dsp, io and eval must not import TensorFlow.js' }] }],
    },
  },
);
