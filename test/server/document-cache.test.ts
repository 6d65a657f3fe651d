import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { DocumentCache } from '../../src/subscriptions/document-cache';
import { isSubscription } from '../../src/subscriptions/subscription-context';

/**
 * Websocket operations share one parsed and validated document per text, and
 * a subscription operation gets the slim context (src/subscriptions/).
 */
describe('DocumentCache', () => {
  const check = jest.fn((text: string): DocumentNode | GraphQLError[] =>
    text.includes('bad') ? [new GraphQLError('refused')] : parse(text),
  );
  beforeEach(() => check.mockClear());

  test('a text checked once is not parsed again: every socket gets the same document', () => {
    const cache = new DocumentCache();
    const a = cache.get('subscription { notices { cursor } }', check);
    const b = cache.get('subscription { notices { cursor } }', check);
    expect(b).toBe(a);
    expect(check).toHaveBeenCalledTimes(1);
  });

  test('a refusal is not kept: the next one is checked again', () => {
    const cache = new DocumentCache();
    expect(Array.isArray(cache.get('{ bad }', check))).toBe(true);
    expect(Array.isArray(cache.get('{ bad }', check))).toBe(true);
    expect(check).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  test('at most `max` documents, the least recently used out first', () => {
    const cache = new DocumentCache(2);
    cache.get('{ a }', check);
    cache.get('{ b }', check);
    cache.get('{ a }', check); // used again: b is now the oldest
    cache.get('{ c }', check);
    expect(cache.size).toBe(2);
    check.mockClear();
    cache.get('{ a }', check);
    cache.get('{ b }', check);
    expect(check.mock.calls.map(([t]) => t)).toEqual(['{ b }']);
  });
});

describe('isSubscription', () => {
  test('by the operation the message names', () => {
    const doc = parse('query Q { a } subscription S { notices { cursor } }');
    expect(isSubscription(doc, 'S')).toBe(true);
    expect(isSubscription(doc, 'Q')).toBe(false);
    expect(isSubscription(parse('subscription { notices { cursor } }'))).toBe(true);
    expect(isSubscription(parse('{ a }'))).toBe(false);
  });
});
