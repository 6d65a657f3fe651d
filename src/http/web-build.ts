import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root (this file is src/http/web-build.ts, or dist/src/http/web-build.js once compiled). */
export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

/** Where each web UI is built to (scripts/build-web.mjs writes there). */
export const WEB_BUILD = {
  citizen: path.join(ROOT, 'build/web/citizen'),
  staff: path.join(ROOT, 'build/web/staff'),
  /** The GraphQL IDE (GraphiQL), src/http/graphiql.ts. */
  graphiql: path.join(ROOT, 'build/web/graphiql'),
};

type App = keyof typeof WEB_BUILD;

/** What each build is made from: when any of it is newer than the build, the build is stale. */
const SOURCES: Record<App, string[]> = {
  citizen: ['clients/citizen/app', 'clients/citizen/src/generated'],
  staff: ['clients/staff/app', 'clients/staff/src/generated'],
  graphiql: ['clients/graphiql/app'],
};
const SHARED_SOURCES = ['clients/shared/ui', 'scripts/build-web.mjs'];

function newestMtime(p: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function builtAt(dir: string): number {
  try {
    return fs.statSync(path.join(dir, 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

/** The UIs not built yet, or older than their sources (a stat walk of ~60 files: milliseconds). */
export function staleWebBuilds(): App[] {
  const shared = Math.max(...SHARED_SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  return (Object.keys(WEB_BUILD) as App[]).filter((app) => {
    const sources = Math.max(shared, ...SOURCES[app].map((s) => newestMtime(path.join(ROOT, s))));
    // Sources absent (e.g. a production image with only build/): nothing to build from.
    return sources > 0 && builtAt(WEB_BUILD[app]) < sources;
  });
}

/**
 * Builds the web UIs when missing or older than their sources (`npm start`
 * and the browser tests call this; `npm run build:web` always builds). Vite
 * is ESM-only, so it runs in a child process.
 */
export async function ensureWebBuild(log: (message: string) => void = () => undefined): Promise<void> {
  const stale = staleWebBuilds();
  if (!stale.length) return;
  log(
    `building the web UI${stale.length > 1 ? 's' : ''} ${stale.join(' and ')} (missing, or the sources changed since the last build)`,
  );
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/build-web.mjs'), ...stale], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', WEB_BUILD_QUIET: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`building the web UIs failed (exit ${code}); run npm run build:web to see why`)),
    );
  });
  log(`web UIs built in ${Date.now() - started} ms`);
}
