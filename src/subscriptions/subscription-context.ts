import { randomUUID } from 'node:crypto';
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

/**
 * The slim context of one subscription operation on a socket. Thousands of
 * sockets each hold one for as long as they are subscribed, so it holds what
 * it needs and no more: its request id is made only when something asks for
 * it (an error to report), and its re-check is the socket's own.
 */
class SlimContext implements SubscriptionContext {
  readonly authFailure = null;
  private id?: string;

  constructor(
    readonly viewer: Viewer,
    readonly revalidate: () => Promise<Viewer | null>,
    readonly bus: NoticeBus | undefined,
    readonly em: EntityManager,
  ) {}

  get requestId(): string {
    return (this.id ??= randomUUID());
  }
}

/** The slim context of one subscription operation on a socket. */
export function subscriptionContext(args: {
  auth: SocketAuth;
  /** The ORM's root EntityManager: reads fork from it. */
  root: EntityManager;
  bus?: NoticeBus;
}): SubscriptionContext {
  const { auth } = args;
  return new SlimContext(auth.current, auth.revalidate, args.bus, args.root);
}
