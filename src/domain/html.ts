import type { IOptions } from 'sanitize-html';
import { htmlTextNode, multiLineText } from './text';

type SanitizeHtml = typeof import('sanitize-html');
let loaded: SanitizeHtml | undefined;
/**
 * sanitize-html (with htmlparser2), loaded with the first message body rather than at start, where nothing
 * sanitizes: it cost every `npm start` ~0.05 s (issue 12 item 4). A require: an import() would stay a real ESM
 * import in tsc's output, and a sanitizer that answers a promise would spread async through every caller.
 */
function sanitizeHtml(html: string, options: IOptions): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('sanitize-html') as SanitizeHtml;
  return loaded(html, options);
}

/**
 * The allowlist for message bodies: structure and emphasis only. No scripts,
 * event handlers, styles (nothing can hide text), images (no remote content,
 * no tracking pixels), forms or frames. Links only to http(s) and mailto, and
 * they open without giving the target page a handle on ours.
 */
const OPTIONS: IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'ul',
    'ol',
    'li',
    'blockquote',
    'a',
    'h1',
    'h2',
    'h3',
    'h4',
    'pre',
    'code',
    'hr',
  ],
  // rel and target are set by the transform below; they must pass the allowlist after it.
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  // Paragraph alignment (the staff editor's toolbar) as fixed class names, never as a style: the UIs' CSP allows no inline styles.
  allowedClasses: { p: ['align-center', 'align-right', 'align-justify'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'iframe', 'object', 'template'],
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: {
        ...attribs,
        ...(attribs.href ? { href: htmlTextNode(attribs.href) } : {}),
        rel: 'noopener noreferrer nofollow',
        target: '_blank',
      },
    }),
  },
  // Bidi overrides, zero-width and control characters out of every text node (entities are decoded before this).
  textFilter: (text) => htmlTextNode(text),
};

export const MAX_BODY_CHARS = 100_000;

export function sanitizeBody(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** Plain text of sanitized HTML: for previews, notifications' absence of content, and journal entries. */
export function htmlToText(html: string): string {
  const withBreaks = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|li|h[1-4]|blockquote|pre)>/gi, '\n')
    .replace(/<li>/gi, '• ');
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Only the entities our own HTML holds: sanitize-html escapes & < > " and
 * writes everything else as characters, escapeHtml below adds &#39;. A full
 * decoder (the `entities` package) would add nothing for these bodies.
 */
function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Plain text (signature, automatic reply) as safe HTML paragraphs. */
export function textToHtml(text: string): string {
  return multiLineText(text)
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/\n/g, '<br />')}</p>`)
    .join('');
}
