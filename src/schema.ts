import 'reflect-metadata';
import { GraphQLObjectType, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { AuthChecker } from './auth/auth-checker';
import type { Context } from './context';
import { Conversation } from './entities/conversation';
import { Message } from './entities/message';
import { resolvers } from './resolvers';
import { ConversationResolver } from './resolvers/conversation.resolver';
import { MessageResolver } from './resolvers/message.resolver';

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
  })
    .then(describeRoots)
    .then(callStraight);
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

const conversations = new ConversationResolver();
const messages = new MessageResolver();
/** Field resolvers an inbox page calls 50 times each; they take the parent and the context only. */
const straight: [type: abstract new () => object, field: string, resolve: (root: never, ctx: Context) => unknown][] = [
  [Conversation, 'unreadCount', (c: Conversation, ctx) => conversations.unreadCount(c, ctx)],
  [Conversation, 'lastMessage', (c: Conversation, ctx) => conversations.lastMessage(c, ctx)],
  [Conversation, 'participants', (c: Conversation, ctx) => conversations.participants(c, ctx)],
  [Message, 'sender', (m: Message, ctx) => messages.sender(m, ctx)],
];

/**
 * The hot field resolvers of the inbox page, called straight when the parent is an instance of the field's type:
 * type-graphql's wrapper builds its resolver data and sorts and maps the parameters on every call (a fifth of the
 * bytes an inbox page allocated). None of them has a middleware or @Authorized; any other parent (a plain object,
 * which type-graphql copies into the class first) still goes through type-graphql's own resolver.
 */
function callStraight(schema: GraphQLSchema): GraphQLSchema {
  for (const [Type, name, resolve] of straight) {
    const type = schema.getType(Type.name);
    const field = type instanceof GraphQLObjectType ? type.getFields()[name] : undefined;
    const wrapped = field?.resolve;
    if (!field || !wrapped) throw new Error(`no resolver for ${Type.name}.${name} to call straight`);
    field.resolve = (root: unknown, args, ctx: Context, info) =>
      root instanceof Type ? resolve(root as never, ctx) : wrapped(root, args, ctx, info);
  }
  return schema;
}
