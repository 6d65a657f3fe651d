import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { authenticateCredential, isSameOriginWrite, requestCredential } from '../auth/request-credential';
import type { SessionStore } from '../auth/session';
import type { TokenVerifier } from '../auth/tokens';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { AttachmentService, MAX_FILE_BYTES, tooLarge } from '../domain/attachment.service';
import { CaseDocumentService } from '../domain/case-document.service';
import { RegisterExtractService } from '../domain/register-extract.service';
import { forbidden, notFound } from '../errors';
import { requestStore } from '../log';
import { sendRouteError } from './json-errors';
import type { BlobStore } from '../storage/blob-store';

const sendError = (res: Response, err: unknown) => sendRouteError(res, err, 'attachment request');

/** A body that says up front (Content-Length) it is over the limit: refused before anything is read or looked up. */
function declaredTooLarge(req: Request, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/** Reads the body up to the limit; past it, refuses and keeps nothing (the rest is discarded by drainRefused). */
function readLimited(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredTooLarge(req, limit)) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!done) reject(err);
    });
  });
}

/** How much of a refused upload's body is still read, and for how long, before the connection is cut. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 30_000;

/**
 * After answering a refused upload, reads and discards the rest of its body.
 * A client (Node's fetch among them) keeps sending after an early answer:
 * hanging up on it mid-body makes it see EPIPE or a reset instead of our 413,
 * so the connection stays open until the body has arrived, and is cut only
 * past DRAIN_MAX_BYTES or DRAIN_MAX_MS (nobody gets to stream forever).
 */
function drainRefused(req: Request): void {
  if (req.complete) return;
  let discarded = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_MAX_MS).unref();
  const stop = () => clearTimeout(timer);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_MAX_BYTES) {
      stop();
      cut();
    }
  });
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}

/** The X-Filename header, percent-encoded UTF-8; a malformed encoding is kept as sent and sanitized like any name. */
function headerFilename(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Files travel outside GraphQL (Apollo advises against multipart GraphQL: a
 * CSRF risk): `POST /uploads` streams one PDF with a bearer token and answers
 * its id; `GET /attachments/:id` downloads it for participants only.
 */
/**
 * A PDF as a download that a browser never renders in the page (Cache-Control: no-store is set for every route).
 * `view` instead opens it in the browser's own PDF viewer (a new tab, the staff UI's Visa): inline, with a CSP that
 * allows nothing from the document but without `sandbox`, which would keep Chromium's viewer from rendering it.
 */
function sendPdf(res: Response, filename: string, bytes: Buffer, view = false): void {
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

export function attachmentRoutes(deps: {
  orm: Orm;
  verifier: TokenVerifier;
  sessions: SessionStore;
  config: Config;
  store: BlobStore;
}): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Cache-Control', 'no-store');
    requestStore.run({ requestId }, next);
  });

  /** The caller (401 without a valid bearer token or session cookie), with a fresh EntityManager and the request id. */
  const signedIn = async (req: Request) => {
    const em = deps.orm.em.fork() as never;
    const credential = requestCredential(req.headers, deps.config);
    // A browser's upload (a POST) with the cookie must come from the e-service's own pages.
    if (credential.kind === 'session' && req.method !== 'GET' && !isSameOriginWrite(req.headers, deps.config)) {
      throw forbidden("This upload must come from the e-service's own pages (its Origin was missing or another site).");
    }
    const { viewer, authFailure } = await authenticateCredential(deps, em, credential);
    if (!viewer) throw authFailure!;
    return { em, viewer, requestId: requestStore.getStore()?.requestId ?? randomUUID() };
  };
  const service = async (req: Request) => {
    const { em, viewer, requestId } = await signedIn(req);
    return new AttachmentService(em, viewer, deps.store, requestId);
  };

  router.post('/uploads', async (req, res) => {
    try {
      if (declaredTooLarge(req, MAX_FILE_BYTES)) throw tooLarge();
      const svc = await service(req);
      await svc.assertMayUpload();
      const bytes = await readLimited(req, MAX_FILE_BYTES);
      const name = typeof req.query.filename === 'string' ? req.query.filename : headerFilename(req.get('x-filename'));
      const a = await svc.upload(bytes, name);
      res
        .status(201)
        .json({ id: a.id, filename: a.filename, size: a.size, sha256: a.sha256, contentType: a.contentType });
    } catch (err) {
      // Answer at once, then let the client finish sending (discarded) so that it reads the answer.
      sendError(res, err);
      drainRefused(req);
    }
  });

  // A PDF of a locked case document (the newest, or the one named), for the staff who may read the document.
  const caseDocumentPdf = async (req: Request, res: Response, pdfId: string | null) => {
    try {
      const { em, viewer, requestId } = await signedIn(req);
      if (viewer.kind !== 'staff') throw notFound('case document');
      const { pdf, bytes } = await new CaseDocumentService(em, viewer, requestId, deps.store).pdf(
        String(req.params.id),
        pdfId,
      );
      // ?visa=1: the staff UI's preview (Visa) in the browser's PDF viewer; otherwise a download.
      sendPdf(res, pdf.filename, bytes, req.query.visa === '1');
    } catch (err) {
      sendError(res, err);
    }
  };
  router.get('/case-documents/:id/pdf', (req, res) => caseDocumentPdf(req, res, null));
  router.get('/case-documents/:id/pdfs/:pdfId', (req, res) => caseDocumentPdf(req, res, String(req.params.pdfId)));

  // A register extract's ZIP, once, for whoever asked for it.
  router.get('/register-extracts/:id', async (req, res) => {
    try {
      const { em, viewer, requestId } = await signedIn(req);
      const { extract, bytes } = await new RegisterExtractService(em, viewer, requestId).download(
        deps.store,
        String(req.params.id),
      );
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader(
        'Content-Disposition',
        contentDisposition(`registerutdrag-${extract.createdAt.toISOString().slice(0, 10)}.zip`),
      );
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Length', String(bytes.length));
      res.status(200).end(bytes);
    } catch (err) {
      sendError(res, err);
    }
  });

  router.get('/attachments/:id', async (req, res) => {
    try {
      const svc = await service(req);
      const { attachment, bytes } = await svc.download(String(req.params.id));
      res.setHeader('Digest', `sha-256=${Buffer.from(attachment.sha256, 'hex').toString('base64')}`);
      sendPdf(res, attachment.filename, bytes);
    } catch (err) {
      sendError(res, err);
    }
  });
  return router;
}
