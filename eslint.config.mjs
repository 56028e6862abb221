import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The package root loads ~2,100 modules (~2.5 s, ~500 MiB): import each class by deep path.
const PROVIDER_ROOT = {
  name: '@cdktf/provider-aws',
  message: "Import by deep path, e.g. '@cdktf/provider-aws/lib/vpc': the package root loads every resource.",
};
// environments/schema/zod.ts turns zod's JIT off before any schema is built.
const ZOD_WITH_JIT = {
  name: 'zod',
  message: "Import z from environments/schema/zod: the config schemas are built with zod's JIT off.",
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Synthesized Terraform JSON is untyped: tests read it as `any`.
    files: ['__tests__/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    rules: {
      'no-restricted-imports': ['error', { paths: [PROVIDER_ROOT, ZOD_WITH_JIT] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['environments/schema/zod.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [PROVIDER_ROOT] }] },
  },
);
