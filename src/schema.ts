import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { AuthChecker } from './auth/auth-checker';
import { resolvers } from './resolvers';

let cached: Promise<GraphQLSchema> | undefined;

/**
 * The executable schema, built once per process from the resolver classes. It takes no options: a cached
 * build cannot honour different ones, and none are needed (our subscriptions bring their own streams).
 */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers,
    authChecker: AuthChecker,
    validate: false,
    // src/subscriptions streams the events; type-graphql still wants an engine, which nothing publishes to.
    pubSub: createPubSub(),
  }).then(describeRoots);
  return cached;
}

/** The published SDL contract: sorted, so diffs show only real changes. */
export function printContract(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}

const rootDescriptions = {
  Query: 'Reads. Everything but introspection needs a bearer token; what you may not see answers NOT_FOUND.',
  Mutation: 'Changes. Each one is all-or-nothing: a refused change writes nothing.',
  Subscription:
    'Live events over graphql-ws on the same URL; send the bearer token as `authorization` in connection_init.',
} as const;

/** type-graphql gives the root types no description; the contract documents them too. */
function describeRoots(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (root && !root.description) root.description = rootDescriptions[root.name as keyof typeof rootDescriptions];
  }
  return schema;
}
