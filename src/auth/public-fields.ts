import { Kind, type SelectionNode } from 'graphql';

/** Root fields anyone may ask for without a caller: the schema is public. */
const PUBLIC_ROOT_FIELDS = new Set(['__typename', '__schema', '__type']);

/** Is this root selection one anyone may make (no caller needed, and a browser session may send it as text)? */
export const isPublicRootField = (s: SelectionNode): boolean =>
  s.kind === Kind.FIELD && PUBLIC_ROOT_FIELDS.has(s.name.value);
