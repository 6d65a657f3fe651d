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

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'clients/staff/src/generated/': { ...preset, documents: ['clients/shared/operations/**/*.graphql', 'clients/staff/operations/**/*.graphql'] },
    'clients/citizen/src/generated/': { ...preset, documents: ['clients/shared/operations/**/*.graphql', 'clients/citizen/operations/**/*.graphql'] },
    'test/generated/': { ...preset, documents: ['test/operations/**/*.graphql'] },
  },
  hooks: {},
};
export default config;
