import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<never>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** One operation of one parsed document: how often it ran, and its compiled form once it is hot. */
interface Entry {
  runs: number;
  compiled?: CompiledQuery | null;
}

/**
 * Apollo Server's executor hook (its gateway interface, which has no other
 * use here) running hot operations compiled by graphql-jit: an operation runs
 * through graphql-js until it has run `hotAfter` times, and from then on as a
 * compiled function of the same schema, resolvers and middlewares. The
 * inbox page's 900 fields cost graphql-js an argument object, a path and a
 * resolve-info per field; the compiled form builds what the query names only.
 *
 * Parsing, validation (the armor's limits included), the plugins, error
 * formatting and the HTTP status stay Apollo's: only execution changes.
 * Compiled forms hang off Apollo's parsed documents (a WeakMap), so they go
 * when its bounded document cache lets a document go; a document that fails
 * to compile keeps running through graphql-js.
 */
export function compiledExecutor(schema: GraphQLSchema, opts: { hotAfter: number }): Gateway {
  const byDocument = new WeakMap<DocumentNode, Map<string, Entry>>();
  const entryOf = (document: DocumentNode, operationName: string | null): Entry => {
    let ops = byDocument.get(document);
    if (!ops) byDocument.set(document, (ops = new Map<string, Entry>()));
    const key = operationName ?? '';
    let entry = ops.get(key);
    if (!entry) ops.set(key, (entry = { runs: 0 }));
    return entry;
  };
  const executor: Executor = async ({ document, operationName, request, context }) => {
    const entry = entryOf(document, operationName);
    if (entry.compiled === undefined && ++entry.runs >= opts.hotAfter)
      entry.compiled = compile(schema, document, operationName);
    const run = { schema, document, contextValue: context, variableValues: request.variables, operationName };
    if (!entry.compiled) return interpret(run);
    const result = (await entry.compiled.query(undefined, context, request.variables ?? {})) as ExecutionResult<
      Record<string, unknown>
    >;
    if (!result.errors) return result;
    // No data at all: the variables were refused before anything ran. graphql-js answers that itself, so the errors
    // are the ones Apollo knows as BAD_USER_INPUT (HTTP 400), word for word.
    if (result.data === undefined) return interpret(run);
    return { ...result, errors: result.errors.map(asGraphQLError) };
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    load: () => Promise.resolve({ executor }),
    stop: () => Promise.resolve(),
  };
}

/** The operation's compiled form; null (graphql-js from then on) when graphql-jit refuses it or throws. */
function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): CompiledQuery | null {
  try {
    const compiled = compileQuery(schema, document, operationName ?? undefined);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch {
    return null;
  }
}

async function interpret(args: ExecutionArgs): Promise<ExecutionResult<Record<string, unknown>>> {
  return execute(args);
}

/**
 * graphql-jit's errors are frozen look-alikes of graphql-js's (read-only message, no `nodes`); Apollo's plugins
 * (the armor's suggestion masking rewrites `message`) and our formatError expect graphql-js's own class.
 */
function asGraphQLError(e: GraphQLError): GraphQLError {
  const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError, extensions: e.extensions });
  if (e.locations) Object.assign(error, { locations: e.locations });
  return error;
}
