import nx from '@nx/eslint-plugin';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** Entity classes of each API domain library (a library's tables are its internals). */
function entitiesByLib() {
  const found = {};
  for (const lib of readdirSync(join(root, 'libs/api'))) {
    const walk = (dir) => {
      let names = [];
      try {
        names = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of names) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.entity.ts')) {
          for (const match of readFileSync(path, 'utf8').matchAll(/export class (\w+)/g))
            (found[lib] ??= []).push(match[1]);
        }
      }
    };
    walk(join(root, 'libs/api', lib, 'src'));
  }
  return found;
}

/**
 * For the lint config of API library `lib`: another domain's entities (its tables) and source files
 * are not importable; a module asks the owner's exported service instead. The generated Angular client
 * is the admin app's, never the API's.
 */
export function domainBoundaries(lib) {
  const paths = Object.entries(entitiesByLib())
    .filter(([owner]) => owner !== lib)
    .map(([owner, importNames]) => ({
      name: `@polymaker/api/${owner}`,
      importNames,
      message: `${importNames.join(', ')} belong to the ${owner} module (its tables): use its exported service instead.`,
    }));
  return [
    {
      files: ['**/*.ts'],
      ignores: ['**/*.spec.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [
              ...paths,
              {
                name: '@polymaker/shared/api-client',
                message: 'The generated Angular client is for the admin app only.',
              },
            ],
            patterns: [
              {
                group: ['@polymaker/*/*/src/*', '@polymaker/*/*/src/**'],
                message: 'Import a library by its public entry, not its internals.',
              },
            ],
          },
        ],
      },
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/.angular',
      '**/coverage',
      'libs/shared/api-client/src/generated/**',
      'tmp/**',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
            { sourceTag: 'scope:admin', onlyDependOnLibsWithTags: ['scope:admin', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: ['scope:api', 'scope:shared', 'scope:tools'],
            },
            {
              sourceTag: 'scope:e2e',
              onlyDependOnLibsWithTags: ['scope:api', 'scope:admin', 'scope:shared', 'scope:tools'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:ui', 'type:util'],
            },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:data-access'] },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:ui', 'type:util'],
            },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:ui', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Rules that need type information: each file is checked in the TypeScript project that holds it.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      // A promise nobody awaits loses its rejection: await it, or `void` it with a .catch that logs.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
];
