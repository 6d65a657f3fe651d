import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  OperationTypeNode,
  subscribe,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * The field extension a root subscription field sets (type-graphql's `@Extensions`) to declare that the result of
 * one of its events depends only on the event object, the document, the operation and the variables outside the
 * field's own arguments (those choose the stream, not what an event becomes), and on the context only through a
 * sign-in check that every subscription's context passes. Its events are then executed once per (event, document,
 * operation, variables) and every socket that shares them gets the same result.
 */
export const SHARES_EVENT_RESULTS = 'sharesEventResults';

type Result = ExecutionResult | Promise<ExecutionResult>;

/** How one (document, operation) is executed per event: shared under this id, keyed by these variables, or not at all. */
interface Plan {
  id: number;
  variables: string[] | null;
}

let nextPlanId = 0;
const plans = new WeakMap<DocumentNode, Map<string, Plan>>();
/** Results by event object: the feeds hand the same objects to every subscriber of one shared read. */
const resultsByEvent = new WeakMap<object, Map<string, Result>>();

/**
 * graphql-ws's `subscribe`: graphql-js's subscribe, except that an event of a field that declares
 * SHARES_EVENT_RESULTS is executed once for every socket that received the same event object with the same
 * document, operation and relevant variables (at thousands of sockets of one viewer, one execution instead of
 * thousands). Errors of an execution are the same for every socket; masking and counting them stays per socket
 * (the server's onNext). Any other subscription runs as graphql-js runs it.
 */
export async function sharedSubscribe(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const plan = planFor(args);
  if (plan.variables === null) return subscribe(args);
  const events = await createSourceEventStream(args);
  if (!isAsyncIterable(events)) return events;
  const key = `${plan.id}:${JSON.stringify(plan.variables.map((v) => (args.variableValues && v in args.variableValues ? [args.variableValues[v]] : [])))}`;
  return mapEvents(events, (event) => resultFor(args, key, event));
}

function resultFor(args: ExecutionArgs, key: string, event: unknown): Result {
  if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
  let results = resultsByEvent.get(event);
  if (!results) {
    results = new Map();
    resultsByEvent.set(event, results);
  }
  let result = results.get(key);
  if (!result) {
    result = execute({ ...args, rootValue: event });
    results.set(key, result);
  }
  return result;
}

function planFor(args: ExecutionArgs): Plan {
  let byOperation = plans.get(args.document);
  if (!byOperation) {
    byOperation = new Map();
    plans.set(args.document, byOperation);
  }
  const name = args.operationName ?? '';
  let plan = byOperation.get(name);
  if (!plan) {
    plan = { id: nextPlanId++, variables: sharedVariables(args.schema, args.document, args.operationName) };
    byOperation.set(name, plan);
  }
  return plan;
}

/**
 * The variables an event's result may depend on, or null when the operation's events are not shared: every variable
 * the operation and the document's fragments use, except in the arguments of the root fields (which declare that
 * their arguments only choose the stream). Taking in a variable that does not matter only shares less.
 */
function sharedVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): string[] | null {
  const operation = getOperationAST(document, operationName);
  const root = schema.getSubscriptionType();
  if (operation?.operation !== OperationTypeNode.SUBSCRIPTION || !root) return null;
  const fields = rootFields(document, operation.selectionSet);
  const declared = (f: FieldNode) => root.getFields()[f.name.value]?.extensions?.[SHARES_EVENT_RESULTS] === true;
  if (!fields.length || !fields.every(declared)) return null;
  const streamArguments = new Set<ArgumentNode>(fields.flatMap((f) => f.arguments ?? []));
  const used = new Set<string>();
  for (const definition of [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)]) {
    visit(definition, {
      Variable(node, _key, parent, _path, ancestors) {
        // `ancestors` stops above the parent, which may be the argument itself.
        if (![parent, ...ancestors].some((a) => streamArguments.has(a as ArgumentNode))) used.add(node.name.value);
      },
      // A variable's definition names it, it does not use it.
      VariableDefinition: () => false,
    });
  }
  return [...used].sort();
}

/** The fields selected at the root, through fragments and inline fragments. */
function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  return selectionSet.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFields(document, s.selectionSet, seen);
    if (seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    const fragment = document.definitions.find(
      (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(document, fragment.selectionSet, seen) : [];
  });
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> =>
  typeof (x as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';

/**
 * Maps a stream of events to results, as graphql-js's subscribe does: `return()` reaches the source at once (a
 * client's Complete ends the stream even while it waits for the next event, which an async generator would not).
 */
function mapEvents(
  events: AsyncIterable<unknown>,
  map: (event: unknown) => Result,
): AsyncIterableIterator<ExecutionResult> {
  const source = events[Symbol.asyncIterator]();
  const close = async () => {
    await source.return?.().catch(() => undefined);
  };
  const mapped = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await map(step.value) };
    } catch (err) {
      await close();
      throw err;
    }
  };
  return {
    next: async () => mapped(await source.next()),
    return: async () => mapped(source.return ? await source.return() : { done: true, value: undefined }),
    throw: async (err: unknown) => {
      if (!source.throw) throw err;
      return mapped(await source.throw(err));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
