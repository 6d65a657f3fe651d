import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuthChecker } from './auth/auth-checker';
import { resolvers } from './resolvers';

let cached: Promise<GraphQLSchema> | undefined;

/** The executable schema, built once per process from the resolver classes. */
export function getSchema(opts: { pubSub?: unknown } = {}): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers,
    authChecker: AuthChecker,
    validate: false,
    pubSub: opts.pubSub as never,
  });
  return cached;
}

/** The published SDL contract: sorted, so diffs show only real changes. */
export function printContract(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
