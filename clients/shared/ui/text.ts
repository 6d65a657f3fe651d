const escape = (t: string) =>
  t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Plain text as typed into a text area → the HTML body the API takes: paragraphs at blank lines, <br> at single newlines. */
export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${escape(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** A fresh idempotency key for one send (the API returns the first result for a retry with the same key). */
export function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts; getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Unsent text kept in sessionStorage (text only, nothing secret) so an
 * expired session or a reload loses nothing; cleared once sent.
 */
export const drafts = {
  load(key: string): string {
    try {
      return sessionStorage.getItem(`utkast:${key}`) ?? '';
    } catch {
      return '';
    }
  },
  save(key: string, text: string): void {
    try {
      if (text) sessionStorage.setItem(`utkast:${key}`, text);
      else sessionStorage.removeItem(`utkast:${key}`);
    } catch {
      // Storage full or disabled: the text stays on the page.
    }
  },
};
