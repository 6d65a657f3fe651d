import type { EntityManager } from '@mikro-orm/postgresql';
import { getOperationAST, OperationTypeNode, type DocumentNode } from 'graphql';
import type { Viewer } from '../auth/viewer';
import type { Context } from '../context';
import type { NoticeBus } from './bus';
import type { SocketAuth } from './ws-auth';

/**
 * What a subscription operation keeps for as long as it is live. A request's
 * context holds DataLoaders and a forked EntityManager;
 * kept for the life of a subscription they would pin that EntityManager and
 * everything it cached, per socket. A subscription keeps only the caller (a
 * copy that belongs to no EntityManager), their re-check and the bus; each
 * read it makes forks its own EntityManager from `em`, the ORM's root one
 * (which itself never runs a query: MikroORM refuses the global context).
 */
export type SubscriptionContext = Pick<Context, 'requestId' | 'viewer' | 'authFailure' | 'revalidate' | 'bus' | 'em'>;

/** Whether the operation a websocket `subscribe` message names is a subscription (the only kind that lives on). */
export function isSubscription(document: DocumentNode, operationName?: string | null): boolean {
  return getOperationAST(document, operationName)?.operation === OperationTypeNode.SUBSCRIPTION;
}

/** The slim context of one subscription operation on a socket. */
export function subscriptionContext(args: {
  requestId: string;
  auth: SocketAuth;
  /** The ORM's root EntityManager: reads fork from it. */
  root: EntityManager;
  bus?: NoticeBus;
}): SubscriptionContext {
  const { auth } = args;
  const viewer: Viewer = auth.current;
  return {
    requestId: args.requestId,
    viewer,
    authFailure: null,
    revalidate: () => auth.forEvent(),
    bus: args.bus,
    em: args.root,
  };
}
