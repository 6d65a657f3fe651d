import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { isPublicRootField } from '../auth/public-fields';
import type { Config } from '../config';
import type { Context } from '../context';
import { ErrorCode, formatError, httpExtension, unauthenticated } from '../errors';
import { inputGuardPlugin } from '../input-guard';
import { log, requestStore } from '../log';
import type { createArmor } from '../security';
import { compiledExecutor } from './compiled-executor';
import { observabilityPlugin } from './observability';

function needsViewer(operation: OperationDefinitionNode | undefined | null): boolean {
  if (!operation) return true;
  return !operation.selectionSet.selections.every(isPublicRootField);
}

/**
 * Refuses operations that need a caller when there is none, before anything executes.
 * (A rejected promise, not a throw: Apollo still calls the other plugins' hooks, e.g. the log line's operation name.)
 */
const requireViewerPlugin: ApolloServerPlugin<Context> = {
  requestDidStart() {
    return Promise.resolve({
      didResolveOperation({ contextValue, operation }) {
        if (contextValue.viewer || !needsViewer(operation)) return Promise.resolve();
        const failure = contextValue.authFailure ?? unauthenticated();
        const code = failure.extensions.code as ErrorCode;
        return Promise.reject(new GraphQLError(failure.message, { extensions: { code, ...httpExtension(code) } }));
      },
    });
  },
};

/** GraphQL over HTTP (Apollo Server): the abuse limits, errors masked, no landing page; not started yet. */
export function createApollo(deps: {
  schema: GraphQLSchema;
  config: Config;
  armor: ReturnType<typeof createArmor>;
  httpServer: http.Server;
}): ApolloServer<Context> {
  const { config, armor } = deps;
  return new ApolloServer<Context>({
    // Hot operations execute compiled (./compiled-executor.ts); parsing, validation and errors stay Apollo's.
    ...(config.compileAfterRuns > 0
      ? { gateway: compiledExecutor(deps.schema, { hotAfter: config.compileAfterRuns }) }
      : { schema: deps.schema }),
    introspection: true,
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: config.limits.maxTokens },
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Apollo's automatic persisted queries would let anyone register a document: the UIs' trusted documents replace them.
    persistedQueries: false,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT: it closes websockets first, then HTTP, then the database.
    stopOnTerminationSignals: false,
    validationRules: armor.validationRules,
    formatError: (formatted, error) =>
      formatError(formatted, error, {
        requestId: requestStore.getStore()?.requestId,
        exposeDetails: !config.production,
        log: (err) => log.error('unexpected error', { err }),
      }),
    plugins: [
      ...armor.plugins,
      requireViewerPlugin,
      observabilityPlugin,
      inputGuardPlugin,
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      // Never Apollo's landing page: it loads Sandbox from Apollo's CDN with telemetry. GraphiQL is served from here (src/http/graphiql.ts).
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
}
