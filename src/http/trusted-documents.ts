import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import {
  Kind,
  OperationTypeNode,
  parse,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type SelectionSetNode,
} from 'graphql';
import { isPublicRootField } from '../auth/public-fields';
import type { Config } from '../config';
import { ErrorCode } from '../errors';
import { log, requestStore } from '../log';
import { sendJsonError } from './json-errors';
import { ROOT } from './web-build';

/**
 * Trusted documents for our own web UIs. Codegen (codegen.ts, client preset,
 * persistedDocuments) writes each app's operations as a manifest, `sha256:<hex>`
 * → document text, and puts the hash on every generated DocumentNode; the UIs
 * send only the hash (clients/shared/ui/api.tsx). The manifests are made at
 * build time from the operation files, never listed by hand.
 */
export const TRUSTED_MANIFESTS = [
  'clients/staff/src/generated/persisted-documents.json',
  'clients/citizen/src/generated/persisted-documents.json',
];

/**
 * The document as the web UIs' urql client would have sent it: its document
 * cache adds an unaliased `__typename` to every selection set below the
 * operation's root (and to fragments) and learns from those what to refetch
 * after a mutation. The manifest holds the operations as written, so the same
 * selections are added here, once, at start.
 */
export function asUrqlSendsIt(text: string): string {
  const withTypename = (set: SelectionSetNode): SelectionSetNode =>
    set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename' && !s.alias)
      ? set
      : {
          ...set,
          selections: [...set.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
        };
  const doc = visit(parse(text, { noLocation: true }), {
    enter(node: ASTNode) {
      if (node.kind === Kind.OPERATION_DEFINITION) return undefined;
      if (
        (node.kind === Kind.FIELD || node.kind === Kind.INLINE_FRAGMENT || node.kind === Kind.FRAGMENT_DEFINITION) &&
        node.selectionSet
      ) {
        return { ...node, selectionSet: withTypename(node.selectionSet) };
      }
      return undefined;
    },
  });
  return print(doc);
}

export class TrustedDocuments {
  private constructor(
    /** sha256 (hex) → the text that runs */
    private readonly byHash: Map<string, string>,
    /** sha256 of every manifest text as written */
    private readonly texts: Set<string> = new Set(byHash.keys()),
  ) {}

  static load(files: readonly string[] = TRUSTED_MANIFESTS.map((f) => path.join(ROOT, f))): TrustedDocuments {
    const byHash = new Map<string, string>();
    for (const file of files) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
      for (const [key, text] of Object.entries(manifest)) byHash.set(key.replace(/^sha256:/, ''), asUrqlSendsIt(text));
    }
    return new TrustedDocuments(byHash);
  }

  static empty(): TrustedDocuments {
    return new TrustedDocuments(new Map());
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The document with this sha256 (hex, with or without a `sha256:` prefix). */
  byId(id: string): string | undefined {
    return this.byHash.get(id.replace(/^sha256:/, ''));
  }

  /** Is this exact text one of ours (as the manifest has it)? */
  has(text: string): boolean {
    return this.texts.has(createHash('sha256').update(text).digest('hex'));
  }
}

/** The UIs' documents, and whether browser sessions are held to them (ENFORCE_TRUSTED_DOCUMENTS). */
export interface TrustedDocumentsOptions {
  documents: TrustedDocuments;
  enforce: boolean;
  maxTokens: number;
}

/**
 * The web UIs' operations (codegen's persisted-documents manifests): required
 * where browser sessions are held to them; elsewhere a missing manifest is
 * only warned about (the UIs do not work until `npm run codegen` has run).
 */
export function loadTrustedDocuments(
  config: Pick<Config, 'enforceTrustedDocuments' | 'limits'>,
  files?: readonly string[],
): TrustedDocumentsOptions {
  const options = (documents: TrustedDocuments) => ({
    documents,
    enforce: config.enforceTrustedDocuments,
    maxTokens: config.limits.maxTokens,
  });
  try {
    return options(TrustedDocuments.load(files));
  } catch (err) {
    if (config.enforceTrustedDocuments)
      throw new Error(
        `The web UIs' trusted documents could not be read (run npm run codegen): ${(err as Error).message}`,
        { cause: err },
      );
    log.warn('no trusted documents: the web UIs will not work until npm run codegen has run', { err });
    return options(TrustedDocuments.empty());
  }
}

/** A query of public root fields alone (__typename, introspection): a browser session may send it as text too. */
function onlyPublicFields(text: string, maxTokens: number): boolean {
  let doc: DocumentNode;
  try {
    doc = parse(text, { maxTokens, noLocation: true });
  } catch {
    return false; // Apollo answers the parse error itself only for callers that may send text
  }
  return doc.definitions.every(
    (d) =>
      d.kind === Kind.OPERATION_DEFINITION &&
      d.operation === OperationTypeNode.QUERY &&
      d.selectionSet.selections.every(isPublicRootField),
  );
}

interface Body {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } & Record<string, unknown>;
}

/** The hash a request names: GraphQL over HTTP's `documentId`, or Apollo-style `extensions.persistedQuery.sha256Hash` (urql). */
function requestedId(body: Body): string | undefined {
  if (typeof body.documentId === 'string') return body.documentId;
  const hash = body.extensions?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** The refusals' stable codes (src/errors.ts). */
export const TRUSTED_CODES = {
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  OPERATION_NOT_ALLOWED: ErrorCode.OPERATION_NOT_ALLOWED,
} as const;

function refuse(res: Parameters<RequestHandler>[1], code: keyof typeof TRUSTED_CODES, message: string) {
  // For the request's log line and the errors-by-code metric (Apollo, which records the others, is not reached).
  const info = requestStore.getStore();
  if (info) info.errorCodes = [TRUSTED_CODES[code]];
  sendJsonError(res, TRUSTED_CODES[code], message);
}

/**
 * Before Apollo, on POST /graphql (after the JSON body is read):
 * - a request naming a document by hash gets that document's text (an unknown
 *   hash: 400 PERSISTED_QUERY_NOT_FOUND), from any caller;
 * - with `enforce` (production), a request carried by a browser session
 *   (cookie, no Authorization header) may run only the UIs' documents, by hash
 *   or as their exact text, or a query of public fields alone (__typename,
 *   introspection); anything else is 400 OPERATION_NOT_ALLOWED;
 * - bearer-token callers (third parties) may send any document, within the
 *   same Armor limits as everyone.
 */
export function trustedDocumentsMiddleware(
  opts: TrustedDocumentsOptions & { isSession: (req: Parameters<RequestHandler>[0]) => boolean },
): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return next();
    const body = req.body as Body;
    const id = requestedId(body);
    if (id !== undefined) {
      const text = opts.documents.byId(id);
      if (!text) {
        refuse(
          res,
          'PERSISTED_QUERY_NOT_FOUND',
          'This server does not know the document the request names (an older or newer page?). Reload the page; if it keeps happening, contact support.',
        );
        return;
      }
      body.query = text;
      delete body.documentId;
      if (body.extensions) {
        const { persistedQuery: _used, ...rest } = body.extensions;
        body.extensions = rest;
      }
      return next();
    }
    if (!opts.enforce || !opts.isSession(req)) return next();
    if (
      typeof body.query === 'string' &&
      (opts.documents.has(body.query) || onlyPublicFields(body.query, opts.maxTokens))
    )
      return next();
    refuse(
      res,
      'OPERATION_NOT_ALLOWED',
      "A browser session may run only the operations of this service's own pages. " +
        'To send your own GraphQL documents, call the API with a bearer token (Authorization: Bearer …).',
    );
  };
}

/** The same rule for an operation on a websocket opened with the session cookie: the document's text to run, or null when not allowed. */
export function trustedWebSocketDocument(
  opts: TrustedDocumentsOptions,
  session: boolean,
  payload: { query: string; extensions?: Record<string, unknown> | null },
): { query: string } | { refused: keyof typeof TRUSTED_CODES } {
  const id = requestedId({ extensions: payload.extensions ?? undefined });
  if (id !== undefined) {
    const text = opts.documents.byId(id);
    return text ? { query: text } : { refused: 'PERSISTED_QUERY_NOT_FOUND' };
  }
  if (!opts.enforce || !session) return { query: payload.query };
  if (opts.documents.has(payload.query) || onlyPublicFields(payload.query, opts.maxTokens))
    return { query: payload.query };
  return { refused: 'OPERATION_NOT_ALLOWED' };
}
