import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, httpExtension } from './errors';

/**
 * Text that PostgreSQL cannot store (a NUL character) is refused at the edge
 * for every operation, in variables and in the document's own string
 * literals, instead of failing deep in a write.
 */
export function findNul(value: unknown, path = 'variables'): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findNul(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Answers by document: Apollo and the websocket's document cache hand the same parsed document to every request of one query text. */
const nulByDocument = new WeakMap<DocumentNode, boolean>();

export function nulInDocument(document: DocumentNode): boolean {
  // Visiting the whole document on every request was 0.5–0.7 % of an inbox page's and a send's CPU (issue 12).
  let found = nulByDocument.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  nulByDocument.set(document, found);
  return found;
}

export const nulError = (where: string) =>
  new GraphQLError(`The text in ${where} contains a NUL character, which cannot be stored. Remove it and send again.`, {
    extensions: {
      code: ErrorCode.BAD_USER_INPUT,
      field: where.replace(/^variables\.?/, '') || undefined,
      ...httpExtension(ErrorCode.BAD_USER_INPUT),
    },
  });

/** Over HTTP (Apollo); the websocket checks the same in src/http/websocket-operation.ts. */
export const inputGuardPlugin: ApolloServerPlugin = {
  requestDidStart() {
    return Promise.resolve({
      // A rejected promise, not a throw: Apollo still calls the other plugins' hooks (the log line's operation name).
      didResolveOperation({ request, document }) {
        const where = findNul(request.variables ?? {}) ?? (nulInDocument(document) ? 'the document' : undefined);
        return where ? Promise.reject(nulError(where)) : Promise.resolve();
      },
    });
  },
};
