// `npm run dev:web`: the web UIs from source with Vite's dev server, reloading the page on every change,
// in front of the API that `npm run dev` (or `npm start`) serves on API_URL (default http://localhost:4000).
// The citizen UI at http://localhost:5173/, the staff UI at http://localhost:5174/staff/. The API's paths are
// proxied (websocket included) with the browser's Host kept, so the session cookie and the same-origin checks
// work as they do behind the real server. Development only: the production build (npm run build:web) is what
// npm start serves, with its Content-Security-Policy.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const api = process.env.API_URL ?? 'http://localhost:4000';
const proxied = ['/graphql', '/auth', '/uploads', '/attachments', '/case-documents', '/healthz'];
const proxy = Object.fromEntries(proxied.map((p) => [p, { target: api, ws: p === '/graphql', changeOrigin: false }]));

// The page learns where sign-in starts from a meta tag, as the real server writes it: the development page when the API has one.
const devSignIn = await fetch(`${api}/auth/dev?app=citizen`).then(
  (r) => r.ok,
  () => false,
);
const loginMeta = {
  name: 'ifo:login-url',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { name: 'ifo-login-url', content: devSignIn ? '/auth/dev' : '/auth/login' },
      injectTo: 'head',
    },
  ],
};

const apps = [
  { dir: 'clients/citizen/app', base: '/', port: 5173 },
  { dir: 'clients/staff/app', base: '/staff/', port: 5174 },
];

for (const app of apps) {
  const server = await createServer({
    configFile: false,
    root: path.join(root, app.dir),
    base: app.base,
    oxc: { jsx: { runtime: 'automatic' } },
    plugins: [loginMeta],
    server: { port: app.port, strictPort: true, proxy, fs: { allow: [root] } },
  });
  await server.listen();
  server.printUrls();
}
