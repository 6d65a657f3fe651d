import { badInput } from '../errors';
import { isId } from './ids';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Cursors are opaque to clients: base64url of the sort key of the last row seen. */
function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): unknown[] | undefined {
  if (cursor == null) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity) return key as unknown[];
  } catch {
    /* fall through */
  }
  throw badInput('after', 'The cursor is not one this API gave out. Start again from the first page.');
}

/**
 * A cursor of a list ordered by (time, id): the time as text a timestamp parses from, and a uuid. Refused like any
 * cursor this API did not give out, before it reaches a statement.
 */
export function decodeTimeCursor(cursor: string | null | undefined): [at: string, id: string] | undefined {
  const key = decodeCursor(cursor, 2);
  if (!key) return undefined;
  const [at, id] = key;
  if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && isId(id)) return [at, id];
  throw badInput('after', 'The cursor is not one this API gave out. Start again from the first page.');
}

export function pageSize(first: number | null | undefined): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `Ask for between 1 and ${MAX_PAGE_SIZE} items per page.`);
  }
  return first;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursorOf: (node: T) => string;
}

/** Fetch one row more than asked to know whether another page follows. */
export function toPage<T>(rows: T[], size: number, key: (row: T) => unknown[]): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size, cursorOf: (n) => encodeCursor(key(n)) };
}
