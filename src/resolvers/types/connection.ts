import type { ClassType } from 'type-graphql';
import { Field, ObjectType } from 'type-graphql';
import type { Page } from '../../domain/pagination';

@ObjectType({ description: 'Where a page of a list ends, for fetching the next one.', simpleResolvers: true })
export class PageInfo {
  @Field({ description: 'True when another page follows; fetch it with `after: endCursor`.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item on this page; empty for an empty page.',
  })
  endCursor!: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
}

/** A cursor-paginated list type for `T`, named `<T>Connection` with `<T>Edge` items. */
export function Connection<T extends object>(node: ClassType<T>, what: string) {
  @ObjectType(`${node.name}Edge`, { description: `One ${what} in a page, with its cursor.`, simpleResolvers: true })
  class Edge {
    @Field({ description: 'Opaque cursor of this item.' })
    cursor!: string;

    @Field(() => node, { description: `The ${what}.` })
    node!: T;
  }

  @ObjectType(`${node.name}Connection`, { description: `A page of ${what}s.`, simpleResolvers: true })
  class ConnectionType implements ConnectionShape<T> {
    @Field(() => [Edge], { description: `The ${what}s on this page, each with its cursor.` })
    edges!: Edge[];

    @Field(() => [node], { description: `The ${what}s on this page (the same as edges.node).` })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'How to fetch the next page.' })
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

/** The connection of a page; the edges (and their cursors) are built only when a query asks for them. */
export function toConnection<T>(page: Page<T>): ConnectionShape<T> {
  const { nodes } = page;
  let edges: { cursor: string; node: T }[] | undefined;
  const last = nodes.length ? nodes[nodes.length - 1] : undefined;
  return {
    get edges() {
      edges ??= nodes.map((node) => ({ cursor: page.cursorOf(node), node }));
      return edges;
    },
    nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : page.cursorOf(last) },
  };
}
