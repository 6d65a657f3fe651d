import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for each consumer of the published contract
 * (schema/schema.graphql): the staff client, the citizen client and the tests.
 */
const preset = {
  preset: 'client' as const,
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTimeISO: 'string', LocalDate: 'string' },
    documentMode: 'documentNode' as const,
  },
};

/**
 * The web UIs' operations are trusted documents: codegen writes each app's
 * persisted-documents.json (sha256 of the document → its text) beside the
 * typed documents and puts the hash on each DocumentNode (`__meta__.hash`).
 * The UIs send only the hash; the server (src/http/trusted-documents.ts) reads
 * these manifests and, in production, runs nothing else for a browser session.
 */
const trusted = {
  ...preset,
  presetConfig: {
    ...preset.presetConfig,
    persistedDocuments: { mode: 'embedHashInDocument' as const, hashAlgorithm: 'sha256' as const },
  },
  // The hash goes on the DocumentNode only in this mode (same DocumentNode objects, fragments inlined).
  config: { ...preset.config, documentMode: 'documentNodeImportFragments' as const },
};

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'clients/staff/src/generated/': {
      ...trusted,
      documents: ['clients/shared/operations/**/*.graphql', 'clients/staff/operations/**/*.graphql'],
    },
    'clients/citizen/src/generated/': {
      ...trusted,
      documents: ['clients/shared/operations/**/*.graphql', 'clients/citizen/operations/**/*.graphql'],
    },
    'test/generated/': { ...preset, documents: ['test/operations/**/*.graphql'] },
  },
  hooks: {},
};
export default config;
