import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { ErrorCode } from '../errors';
import { sendJsonError } from './json-errors';
import { WEB_BUILD } from './web-build';
import { pageHeaders } from './web-ui';

/** A browser navigating to the endpoint (not a GraphQL GET, which names its query). */
function wantsIde(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.query.query !== undefined || req.query.extensions !== undefined) return false;
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * The self-hosted GraphQL IDE: GraphiQL (clients/graphiql, built by
 * scripts/build-web.mjs to build/web/graphiql) at `GET /graphql` for browsers,
 * its files under /graphql/ide/. Everything from this server; the pages' strict
 * Content-Security-Policy (src/http/web-ui.ts) applies. Mounted only when
 * GRAPHQL_IDE is on (development by default; production only when an
 * administrator turns it on). Apollo's own landing page (Sandbox from Apollo's
 * CDN) is always off.
 */
export function graphiqlRoutes(opts: { dir?: string } = {}): Router {
  const dir = opts.dir ?? WEB_BUILD.graphiql;
  const router = express.Router();
  const page = (req: Request, res: Response) => {
    const nonce = randomBytes(16).toString('base64');
    let html: string;
    try {
      html = fs
        .readFileSync(path.join(dir, 'index.html'), 'utf8')
        .replace('</head>', `<meta name="csp-nonce" nonce="${nonce}">\n  </head>`);
    } catch {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The GraphQL IDE has not been built. Run npm run build:web (npm start builds it).');
      return;
    }
    pageHeaders(req, res, nonce);
    // The web UIs' policy, with one addition: Monaco (GraphiQL's editor) positions every line it renders with a
    // style attribute in markup, which the policy would refuse (the editor is then unusable). Style attributes only:
    // still no inline or third-party script, no <style> without the nonce, no connection or font from elsewhere.
    res.setHeader(
      'Content-Security-Policy',
      `${String(res.getHeader('Content-Security-Policy'))}; style-src-attr 'unsafe-inline'`,
    );
    res.setHeader('Cache-Control', 'no-cache');
    res.status(200).type('html').send(html);
  };
  router.get('/graphql', (req, res, next) => (wantsIde(req) ? page(req, res) : next()));
  router.use(
    '/graphql/ide',
    express.static(dir, {
      index: false,
      redirect: false,
      setHeaders: (res, file) => {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader(
          'Cache-Control',
          file.split(path.sep).includes('assets') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
    (_req, res) => sendJsonError(res, ErrorCode.NOT_FOUND, 'Not found. The API is at /graphql.'),
  );
  return router;
}
