import type { Response } from 'express';

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * A PDF as a download that a browser never renders in the page (Cache-Control: no-store is set for every route).
 * `view` instead opens it in the browser's own PDF viewer (a new tab, the staff UI's Visa): inline, with a CSP that
 * allows nothing from the document but without `sandbox`, which would keep Chromium's viewer from rendering it.
 */
export function sendPdf(res: Response, filename: string, bytes: Buffer, view = false): void {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader(
    'Content-Disposition',
    view ? contentDisposition(filename).replace(/^attachment;/, 'inline;') : contentDisposition(filename),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader(
    'Content-Security-Policy',
    view ? "default-src 'none'; object-src 'self'" : "default-src 'none'; sandbox",
  );
  res.setHeader('Content-Length', String(bytes.length));
  res.status(200).end(bytes);
}

/** A ZIP file as a download. */
export function sendZip(res: Response, filename: string, bytes: Buffer): void {
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', contentDisposition(filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', String(bytes.length));
  res.status(200).end(bytes);
}
