import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

export default tseslint.config(
  {
    ignores: [
      'out/',
      'tests/.tmp/',
      'dist/',
      'release/',
      'node_modules/',
      'bench/.cache/',
      'test-results/',
      'main/onnx/onnx-descriptor.ts',
      'resources/onnx/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig } },
  },
  // The engine never imports Electron: it must run (and be tested) under plain Node.
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'main/ is Electron-free: put Electron code in electron/.' }] },
      ],
    },
  },
  // The renderer talks only to the StudioApi contract, never to Node.
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'child_process', 'electron', 'onnxruntime-node', 'sharp', 'better-sqlite3'],
              message: 'The renderer reaches the engine only through StudioApi.',
            },
          ],
        },
      ],
    },
  },
);
