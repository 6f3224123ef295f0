import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: ['node_modules', 'out', 'dist', 'e2e/artifacts', 'test/corpus', 'bench/.data', 'bench/.ui-build', '.tmp'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Raw IPC lives in one transport module; everything else goes through the typed contract.
    files: ['**/*.{ts,tsx}'],
    ignores: ['src-main/transport/ipc.ts', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Only src-main/transport/ipc.ts and src-main/preload use raw IPC; add a contract entry instead.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.property.name='webContents'][property.name='send']",
          message: 'Job events reach windows only through src-main/transport/ipc.ts.',
        },
        {
          selector: 'MemberExpression[object.name=/^(ipcMain|ipcRenderer)$/]',
          message: 'Only src-main/transport/ipc.ts and src-main/preload use raw IPC.',
        },
      ],
    },
  },
  {
    // Engines must run without Electron (CLI, tests, benchmarks, the web server).
    files: [
      'src-main/{config,db,migrate,backup,seed,profiles,jobs,cli,api}/**/*.ts',
      'src-main/transport/{web,csp}.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Engines never import electron.' }] }],
    },
  },
  {
    // The renderer talks to main only through its typed client.
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            {
              group: ['node:*', '**/src-main/**'],
              message: 'The renderer talks to main only through src-renderer/src/client.',
            },
          ],
        },
      ],
    },
  },
)
