import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { isSameOriginWrite } from '../auth/request-credential';
import { AttachmentService, MAX_FILE_BYTES, tooLarge } from '../domain/attachment.service';
import { CaseDocumentService } from '../domain/case-document.service';
import { RegisterExtractService } from '../domain/register-extract.service';
import { forbidden, notFound } from '../errors';
import { requestStore } from '../log';
import type { BlobStore } from '../storage/blob-store';
import { sendPdf, sendZip } from './file-response';
import { sendRouteError } from './json-errors';
import { requestId } from './request-id';
import { routeCredential, signedInCaller, type RouteCallerDeps } from './route-caller';
import { declaredTooLarge, drainRefused, headerFilename, readLimited } from './upload-body';

type Deps = RouteCallerDeps & { store: BlobStore };

const sendError = (res: Response, err: unknown) => sendRouteError(res, err, 'attachment request');

/** The caller (401 without a valid bearer token or session cookie), with a fresh EntityManager and the request id. */
async function signedIn(deps: Deps, req: Request) {
  const credential = routeCredential(req, deps);
  // A browser's upload (a POST) with the cookie must come from the e-service's own pages.
  if (credential.kind === 'session' && req.method !== 'GET' && !isSameOriginWrite(req.headers, deps.config)) {
    throw forbidden("This upload must come from the e-service's own pages (its Origin was missing or another site).");
  }
  const { em, viewer } = await signedInCaller(deps, credential);
  return { em, viewer, requestId: requestStore.getStore()?.requestId ?? randomUUID() };
}

async function attachmentService(deps: Deps, req: Request) {
  const { em, viewer, requestId } = await signedIn(deps, req);
  return new AttachmentService(em, viewer, deps.store, requestId);
}

/** `POST /uploads`: one PDF streamed with the caller's credential; answers its id. */
async function upload(deps: Deps, req: Request, res: Response) {
  try {
    if (declaredTooLarge(req, MAX_FILE_BYTES)) throw tooLarge();
    const svc = await attachmentService(deps, req);
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
}

/** `GET /attachments/:id`: the file, for the conversation's participants only. */
async function downloadAttachment(deps: Deps, req: Request, res: Response) {
  try {
    const svc = await attachmentService(deps, req);
    const { attachment, bytes } = await svc.download(String(req.params.id));
    res.setHeader('Digest', `sha-256=${Buffer.from(attachment.sha256, 'hex').toString('base64')}`);
    sendPdf(res, attachment.filename, bytes);
  } catch (err) {
    sendError(res, err);
  }
}

/** A PDF of a locked case document (the newest, or the one named), for the staff who may read the document. */
async function caseDocumentPdf(deps: Deps, req: Request, res: Response, pdfId: string | null) {
  try {
    const { em, viewer, requestId } = await signedIn(deps, req);
    if (viewer.kind !== 'staff') throw notFound('case document');
    const service = new CaseDocumentService(em, viewer, requestId, deps.store);
    const { pdf, bytes } = await service.pdf(String(req.params.id), pdfId);
    // ?visa=1: the staff UI's preview (Visa) in the browser's PDF viewer; otherwise a download.
    sendPdf(res, pdf.filename, bytes, req.query.visa === '1');
  } catch (err) {
    sendError(res, err);
  }
}

/** A register extract's ZIP, once, for whoever asked for it. */
async function registerExtract(deps: Deps, req: Request, res: Response) {
  try {
    const { em, viewer, requestId } = await signedIn(deps, req);
    const service = new RegisterExtractService(em, viewer, requestId);
    const { extract, bytes } = await service.download(deps.store, String(req.params.id));
    sendZip(res, `registerutdrag-${extract.createdAt.toISOString().slice(0, 10)}.zip`, bytes);
  } catch (err) {
    sendError(res, err);
  }
}

/**
 * Files travel outside GraphQL (Apollo advises against multipart GraphQL: a
 * CSRF risk): `POST /uploads` streams one PDF with a bearer token and answers
 * its id; `GET /attachments/:id` downloads it for participants only; case
 * documents' PDFs and register extracts are downloaded here too.
 */
export function attachmentRoutes(deps: Deps): Router {
  const router = express.Router();
  // The app's request id when mounted in it (src/server.ts), so the access log and the answer name the same request.
  router.use(requestId({ trustProxyRequestId: deps.config.trustProxyRequestId }));
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.post('/uploads', (req, res) => upload(deps, req, res));
  router.get('/attachments/:id', (req, res) => downloadAttachment(deps, req, res));
  router.get('/case-documents/:id/pdf', (req, res) => caseDocumentPdf(deps, req, res, null));
  router.get('/case-documents/:id/pdfs/:pdfId', (req, res) =>
    caseDocumentPdf(deps, req, res, String(req.params.pdfId)),
  );
  router.get('/register-extracts/:id', (req, res) => registerExtract(deps, req, res));
  return router;
}
