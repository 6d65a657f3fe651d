// Builds the web UIs with Vite (`npm run build:web`; `npm start` runs it when a build is stale).
// Plain ESM JavaScript because Vite 8 is ESM-only and the server runs as CommonJS.
// No @vitejs/plugin-react: Vite's built-in oxc transform compiles TSX with React's automatic runtime.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

// A production build whoever starts it (jest sets NODE_ENV=test, which would select React's development builds).
process.env.NODE_ENV = 'production';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each app: its folder, where it is built to, and the URL path it is served under. */
export const APPS = [
  { name: 'citizen', dir: 'clients/citizen/app', out: 'build/web/citizen', base: '/' },
  { name: 'staff', dir: 'clients/staff/app', out: 'build/web/staff', base: '/staff/' },
  // The self-hosted GraphQL IDE (GraphiQL), served at GET /graphql to browsers (src/http/graphiql.ts).
  { name: 'graphiql', dir: 'clients/graphiql/app', out: 'build/web/graphiql', base: '/graphql/ide/' },
];

/** The UIs are Swedish (English as the fallback): react-aria's strings for the other 32 locales stay out of the bundle. */
const KEEP_LOCALES = new Set(['sv-SE', 'en-US']);
const LOCALE_FILE = /[\\/]react-(?:aria|stately)[^\\/]*[\\/]dist[\\/].*[\\/]intl[\\/].*?([a-z]{2}-[A-Z]{2})\.m?js$/;
function onlyOurLocales() {
  return {
    name: 'ifo:only-our-locales',
    load(id) {
      const m = LOCALE_FILE.exec(id);
      if (m && !KEEP_LOCALES.has(m[1])) return 'export default {};';
      return null;
    },
  };
}

/**
 * GraphiQL's stylesheet carries its fonts (Roboto, Fira Code, Monaco's codicon)
 * as data: URLs, which the pages' CSP (font-src 'self') refuses: written out as
 * files of their own next to the stylesheet instead.
 */
function fontsAsFiles() {
  const DATA_FONT = /url\((["']?)data:font\/([a-z0-9+.-]+);base64,([A-Za-z0-9+/=]+)\1\)/g;
  return {
    name: 'ifo:fonts-as-files',
    generateBundle(_options, bundle) {
      for (const asset of Object.values(bundle)) {
        if (asset.type !== 'asset' || !asset.fileName.endsWith('.css')) continue;
        const css = typeof asset.source === 'string' ? asset.source : Buffer.from(asset.source).toString('utf8');
        const out = css.replace(DATA_FONT, (_m, _q, type, base64) => {
          const ext = type.replace(/^x-font-/, '').replace(/^font-/, '');
          const ref = this.emitFile({ type: 'asset', name: `font.${ext}`, source: Buffer.from(base64, 'base64') });
          return `url(${path.posix.relative(path.posix.dirname(asset.fileName), this.getFileName(ref))})`;
        });
        asset.source = out;
      }
    },
  };
}

async function buildApp(app) {
  // Built beside the target and swapped in by rename, so a server (or a second build) never sees half a build.
  const tmp = `${path.join(root, app.out)}.tmp-${process.pid}`;
  await build({
    configFile: false,
    mode: 'production',
    root: path.join(root, app.dir),
    base: app.base,
    logLevel: process.env.WEB_BUILD_QUIET ? 'warn' : 'info',
    // The automatic runtime imports react/jsx-runtime: no React import needed in components.
    oxc: { jsx: { runtime: 'automatic', development: false } },
    plugins: [onlyOurLocales(), ...(app.name === 'graphiql' ? [fontsAsFiles()] : [])],
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      // Every byte of the first load counts on a phone; the size report prints gzip sizes.
      reportCompressedSize: true,
      // No inlined assets: the Content-Security-Policy allows only files from 'self' (and data: images).
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rolldownOptions: {
        // react-router marks its modules "use client" (for React Server Components); meaningless in this bundle.
        onLog(level, log, handler) {
          if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
          handler(level, log);
        },
      },
    },
  });
}

async function swapIn(app) {
  const out = path.join(root, app.out);
  const tmp = `${out}.tmp-${process.pid}`;
  const old = `${out}.old-${process.pid}`;
  try {
    fs.renameSync(out, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    fs.renameSync(tmp, out);
  } catch (err) {
    // Another build (a second test run) swapped its copy in meanwhile: it is as fresh as this one.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.rmSync(old, { recursive: true, force: true });
}

const only = process.argv.slice(2);
for (const app of APPS) {
  if (only.length && !only.includes(app.name)) continue;
  await buildApp(app);
  await swapIn(app);
}
