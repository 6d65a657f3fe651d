const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are opaque to clients; anything that is not one of ours simply does not exist. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A PostgreSQL array literal of validated ids, for `= any(?::uuid[])`. */
export function pgUuidArray(ids: readonly string[]): string {
  return `{${ids.filter(isId).join(',')}}`;
}

/** A PostgreSQL array literal of strings (quoted and escaped), for `= any(?::text[])`. */
export function pgTextArray(items: readonly string[]): string {
  return `{${items.map((k) => `"${k.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
