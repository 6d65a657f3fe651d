/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query PersonBare($id: ID!) {\n  person(id: $id) {\n    id\n    name\n    personnummer\n    contactDetailsHidden\n    address {\n      street\n      postalCode\n      city\n    }\n    mobile\n    email\n  }\n}\n\nquery PersonIds($search: String, $first: Int, $after: String) {\n  persons(search: $search, first: $first, after: $after) {\n    nodes {\n      id\n      personnummer\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery CaseBare($id: ID!) {\n  case(id: $id) {\n    id\n    title\n    holder {\n      id\n      contactDetailsHidden\n    }\n  }\n}\n\nquery CaseRelations($id: ID!) {\n  case(id: $id) {\n    id\n    relations {\n      id\n      person {\n        id\n        personnummer\n        contactDetailsHidden\n        mobile\n        email\n        address {\n          street\n        }\n      }\n    }\n  }\n}\n\nquery MeWithCases {\n  me {\n    id\n    cases {\n      id\n    }\n  }\n}": typeof types.PersonBareDocument,
    "query PersonsWide($first: Int) {\n  persons(first: $first) {\n    nodes {\n      id\n      name\n      contactDetailsHidden\n      mobile\n      cases {\n        id\n        title\n        caseworker {\n          id\n          name\n          unit {\n            id\n            name\n          }\n        }\n        unit {\n          id\n        }\n        interventions {\n          id\n          label\n        }\n        assignments {\n          id\n          executor {\n            id\n            name\n          }\n        }\n        relations {\n          id\n          person {\n            id\n            name\n            mobile\n          }\n        }\n      }\n    }\n  }\n}": typeof types.PersonsWideDocument,
};
const documents: Documents = {
    "query PersonBare($id: ID!) {\n  person(id: $id) {\n    id\n    name\n    personnummer\n    contactDetailsHidden\n    address {\n      street\n      postalCode\n      city\n    }\n    mobile\n    email\n  }\n}\n\nquery PersonIds($search: String, $first: Int, $after: String) {\n  persons(search: $search, first: $first, after: $after) {\n    nodes {\n      id\n      personnummer\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery CaseBare($id: ID!) {\n  case(id: $id) {\n    id\n    title\n    holder {\n      id\n      contactDetailsHidden\n    }\n  }\n}\n\nquery CaseRelations($id: ID!) {\n  case(id: $id) {\n    id\n    relations {\n      id\n      person {\n        id\n        personnummer\n        contactDetailsHidden\n        mobile\n        email\n        address {\n          street\n        }\n      }\n    }\n  }\n}\n\nquery MeWithCases {\n  me {\n    id\n    cases {\n      id\n    }\n  }\n}": types.PersonBareDocument,
    "query PersonsWide($first: Int) {\n  persons(first: $first) {\n    nodes {\n      id\n      name\n      contactDetailsHidden\n      mobile\n      cases {\n        id\n        title\n        caseworker {\n          id\n          name\n          unit {\n            id\n            name\n          }\n        }\n        unit {\n          id\n        }\n        interventions {\n          id\n          label\n        }\n        assignments {\n          id\n          executor {\n            id\n            name\n          }\n        }\n        relations {\n          id\n          person {\n            id\n            name\n            mobile\n          }\n        }\n      }\n    }\n  }\n}": types.PersonsWideDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PersonBare($id: ID!) {\n  person(id: $id) {\n    id\n    name\n    personnummer\n    contactDetailsHidden\n    address {\n      street\n      postalCode\n      city\n    }\n    mobile\n    email\n  }\n}\n\nquery PersonIds($search: String, $first: Int, $after: String) {\n  persons(search: $search, first: $first, after: $after) {\n    nodes {\n      id\n      personnummer\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery CaseBare($id: ID!) {\n  case(id: $id) {\n    id\n    title\n    holder {\n      id\n      contactDetailsHidden\n    }\n  }\n}\n\nquery CaseRelations($id: ID!) {\n  case(id: $id) {\n    id\n    relations {\n      id\n      person {\n        id\n        personnummer\n        contactDetailsHidden\n        mobile\n        email\n        address {\n          street\n        }\n      }\n    }\n  }\n}\n\nquery MeWithCases {\n  me {\n    id\n    cases {\n      id\n    }\n  }\n}"): (typeof documents)["query PersonBare($id: ID!) {\n  person(id: $id) {\n    id\n    name\n    personnummer\n    contactDetailsHidden\n    address {\n      street\n      postalCode\n      city\n    }\n    mobile\n    email\n  }\n}\n\nquery PersonIds($search: String, $first: Int, $after: String) {\n  persons(search: $search, first: $first, after: $after) {\n    nodes {\n      id\n      personnummer\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery CaseBare($id: ID!) {\n  case(id: $id) {\n    id\n    title\n    holder {\n      id\n      contactDetailsHidden\n    }\n  }\n}\n\nquery CaseRelations($id: ID!) {\n  case(id: $id) {\n    id\n    relations {\n      id\n      person {\n        id\n        personnummer\n        contactDetailsHidden\n        mobile\n        email\n        address {\n          street\n        }\n      }\n    }\n  }\n}\n\nquery MeWithCases {\n  me {\n    id\n    cases {\n      id\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PersonsWide($first: Int) {\n  persons(first: $first) {\n    nodes {\n      id\n      name\n      contactDetailsHidden\n      mobile\n      cases {\n        id\n        title\n        caseworker {\n          id\n          name\n          unit {\n            id\n            name\n          }\n        }\n        unit {\n          id\n        }\n        interventions {\n          id\n          label\n        }\n        assignments {\n          id\n          executor {\n            id\n            name\n          }\n        }\n        relations {\n          id\n          person {\n            id\n            name\n            mobile\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query PersonsWide($first: Int) {\n  persons(first: $first) {\n    nodes {\n      id\n      name\n      contactDetailsHidden\n      mobile\n      cases {\n        id\n        title\n        caseworker {\n          id\n          name\n          unit {\n            id\n            name\n          }\n        }\n        unit {\n          id\n        }\n        interventions {\n          id\n          label\n        }\n        assignments {\n          id\n          executor {\n            id\n            name\n          }\n        }\n        relations {\n          id\n          person {\n            id\n            name\n            mobile\n          }\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;