import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { WEB_BUILD } from './web-build';

/** Paths that belong to the API: never answered with a page, so an unknown one keeps its JSON 404. */
const API_PATHS = /^\/(graphql|auth|attachments|uploads|case-documents|admin|healthz|readyz|metrics)(\/|$)/;

/**
 * The citizen app's routes (clients/citizen/app/src/App.tsx): answered 200;
 * any other page path gets the app with 404, and the app says "Sidan finns inte".
 */
const CITIZEN_ROUTES = /^\/(?:(?:meddelanden(?:\/[^/]+)?|profil|kontakter)\/?)?$/;

/** The staff app's pages under /staff (clients/staff/app/src/App.tsx and admin/AdminApp.tsx), answered 200 like the citizen's. */
const STAFF_PAGES = [
  'inkorg',
  'utkast',
  'skickat',
  'skriv(?:/[^/]+)?',
  'installningar',
  'kontaktlistor',
  'brevlada/[^/]+',
  'konversation/[^/]+',
  'loggkontroll',
  'aviseringar',
  'personal',
  'brevlador',
  'skyddad-folkbokforing',
  'personer(?:/[^/]+)?',
  'arende/[^/]+(?:/journal|/dokumentation(?:/[^/]+)?)?',
  'uppdrag(?:/[^/]+(?:/dokument/[^/]+)?)?',
];
const STAFF_ROUTES = new RegExp(`^/(?:(?:${STAFF_PAGES.join('|')})/?)?$`);

/** A host as a browser sends it: name or [IPv6] and an optional port; anything else is left out of the policy. */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * No inline script, no third-party origin: scripts, styles and connections
 * only to this server (the websocket named explicitly, as older browsers do
 * not count ws: as 'self'), images also as data: URLs, no plugins, no framing.
 * The one exception is a per-response style nonce: react-aria adds two small
 * <style> elements (touch behaviour) and takes the nonce from the page's
 * `csp-nonce` meta; scripts get no nonce at all.
 */
export function contentSecurityPolicy(host: string | undefined, styleNonce: string): string {
  const ws = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    `connect-src 'self'${ws}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageHeaders(req: Request, res: Response, styleNonce: string) {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host, styleNonce));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
}

/** Hashed file names (Vite's assets/) never change: cache them for a year; everything else is revalidated. */
function assetHeaders(res: Response, file: string) {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const hashed = file.split(path.sep).includes('assets');
  res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/** A browser asking for a page (a navigation), not a script or an API client. */
function wantsPage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path.posix.extname(req.path)) return false; // a missing file, not a route
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * The web UIs, built by scripts/build-web.mjs: the citizen's at `/`, the
 * staff's at `/staff/`. Any page path of an app answers its index.html (the
 * app routes in the browser); API paths are left alone.
 */
export function webUiRoutes(opts: { authMode: 'dev' | 'oidc'; dirs?: { citizen: string; staff: string } }): Router {
  const dirs = opts.dirs ?? WEB_BUILD;
  const router = express.Router();
  // The apps read where sign-in starts from a meta tag: the development page or the OIDC flow.
  const loginUrl = opts.authMode === 'dev' ? '/auth/dev' : '/auth/login';
  // Read per request (a small file in the OS cache): a rebuild while running is served at once.
  const page = (dir: string, known: RegExp) => (req: Request, res: Response) => {
    const nonce = randomBytes(16).toString('base64');
    const meta = `<meta name="ifo-login-url" content="${loginUrl}">\n    <meta name="csp-nonce" nonce="${nonce}">\n  </head>`;
    let html: string;
    try {
      html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8').replace('</head>', meta);
    } catch {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web UI has not been built. Run npm run build:web (npm start builds it).');
      return;
    }
    pageHeaders(req, res, nonce);
    res.setHeader('Cache-Control', 'no-cache');
    res
      .status(known.test(req.path) || req.path === '/index.html' ? 200 : 404)
      .type('html')
      .send(html);
  };
  const files = (dir: string) => express.static(dir, { index: false, redirect: false, setHeaders: assetHeaders });
  const apps = [
    { mount: '/staff', page: page(dirs.staff, STAFF_ROUTES), files: files(dirs.staff) },
    { mount: '/', page: page(dirs.citizen, CITIZEN_ROUTES), files: files(dirs.citizen) },
  ];

  router.use((req, res, next) => (req.path === '/staff' && wantsPage(req) ? res.redirect(301, '/staff/') : next()));
  for (const app of apps) {
    const sub = express.Router();
    sub.use((req, res, next) => {
      if (API_PATHS.test(req.originalUrl.split('?')[0])) return next();
      if (req.path === '/index.html') return app.page(req, res);
      return app.files(req, res, () => (wantsPage(req) ? app.page(req, res) : next()));
    });
    router.use(app.mount, sub);
  }
  return router;
}
