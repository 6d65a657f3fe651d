/**
 * Text that people type and other people read. Some characters change how the
 * text around them is shown without being seen themselves: a right-to-left
 * override makes "Faktura <U+202E>fdp.exe<U+202C>" read as "Faktura exe.pdf", zero-width
 * characters make two names that look alike differ (or one name hide in
 * another), control characters break lines and layouts.
 *
 * They are removed, not refused: they come in unseen with pasted text (Word,
 * PDFs and web pages carry zero-width spaces, byte-order marks and direction
 * marks), so a person could neither see nor find what an error asked them to
 * remove; what is stored is then exactly what every reader sees. Filenames get
 * the same treatment (sanitizeFilename keeps letters, digits and a few marks).
 * The cost: a Persian or Arabic name loses its zero-width non-joiner or
 * direction marks and is shown with default joining and direction, which is
 * still readable.
 */

/** Bidi embeddings, overrides, isolates and marks; zero-width spaces and joiners; the byte-order mark; word joiner and invisible operators. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- strips C0/C1 controls: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** The same, but keeping tab and line feed (CR is normalised to LF first). */
// eslint-disable-next-line no-control-regex -- strips C0/C1 controls: matching them is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * One line of human text (a subject, a name, a title, a heading, an address
 * line): control characters become a space, invisible formatting characters
 * are removed, and the ends are trimmed. Every single-line input that another
 * person reads goes through this; length and emptiness are the caller's rules.
 */
export function singleLineText(value: string | null | undefined): string {
  return (value ?? '').replace(INVISIBLE, '').replace(CONTROL, ' ').trim();
}

/**
 * Plain multi-line text (a document, a note, a signature): line breaks and
 * tabs stay (CRLF becomes LF, U+2028/U+2029 become LF), other control and
 * invisible formatting characters are removed. Not trimmed: the caller
 * decides.
 */
export function multiLineText(value: string): string {
  return value
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(INVISIBLE, '')
    .replace(CONTROL_BUT_LINES, '');
}

/** For a text node of sanitized HTML (message bodies): the invisible formatting and control characters out, layout left to the markup. */
export function htmlTextNode(text: string): string {
  return text.replace(INVISIBLE, '').replace(CONTROL_BUT_LINES, '');
}
