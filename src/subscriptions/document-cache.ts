import { Kind, type DocumentNode } from 'graphql';

/** Documents kept; the web UIs send a handful, an integrator a few more. */
const MAX_DOCUMENTS = 500;
/** Longer texts are checked every time rather than kept (bounds the cache's memory). */
const MAX_TEXT = 20_000;

const isDocument = (x: unknown): x is DocumentNode => (x as DocumentNode | undefined)?.kind === Kind.DOCUMENT;

/**
 * Parsed and validated documents by their text: thousands
 * of sockets subscribe with the same few documents, and each parse made its
 * own syntax tree, kept for the life of the subscription. Only documents that
 * passed are kept (a refusal is cheap to repeat and must not fill the cache);
 * least recently used first out. The check given must depend on the text
 * alone (not on the variables).
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly max = MAX_DOCUMENTS) {}

  get<Refusal>(text: string, check: (text: string) => DocumentNode | Refusal): DocumentNode | Refusal {
    const hit = this.documents.get(text);
    if (hit) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.documents.delete(text);
      this.documents.set(text, hit);
      return hit;
    }
    const result = check(text);
    if (isDocument(result) && text.length <= MAX_TEXT) {
      this.documents.set(text, result);
      if (this.documents.size > this.max) this.documents.delete(this.documents.keys().next().value!);
    }
    return result;
  }

  get size(): number {
    return this.documents.size;
  }
}
