// ESLint flat config: @eslint/js and typescript-eslint recommended over the
// TypeScript sources (`npm run lint`). Formatting is Prettier's job
// (.prettierrc, `npm run format:check`), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Built output, generated files (examples/ from flows/, dashboards/ from dashboards/src) and plain JS build scripts.
    ignores: [
      'dist/**',
      'node_modules/**',
      'examples/**',
      'dashboards/**',
      'bench/results/**',
      'test-results/**',
      '.data/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['app/**/*.ts', 'nodes/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'settings.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter kept for its position (Node-RED handler signatures).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A CommonJS package: require() loads optional dependencies where they may be absent
      // (onoff, ffmpeg-static, @node-rs/bcrypt), the runtime after the environment is read,
      // and Node-RED's untyped core node files by path in tests.
      '@typescript-eslint/no-require-imports': 'off',
      // Node-RED's documented constructor idiom: `const node = this` for the closures below it.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    // Tests read untyped runtime internals and JSON answers (helper nodes, flow files, HTTP bodies).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
