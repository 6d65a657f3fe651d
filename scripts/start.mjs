// `npm start`: runs the compiled server (dist/src/main.js), compiling first whatever in src/ changed since.
// Plain ESM JavaScript so nothing needs compiling before it runs. Compiling on every start (the swc loader,
// `node -r @swc-node/register`) cost 0.5–0.7 s; this costs a stat of each source file when nothing changed.
// `npm run build` (tsc, with type checking) writes the same dist/ layout; production runs `npm run start:prod`.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');
const outDir = path.join(root, 'dist/src');
/** What each output was compiled from: the source's size and mtime, and the compiler settings. */
const manifestFile = path.join(root, 'dist/.start-build.json');
/** Anything that changes how every file compiles: a change here recompiles everything. */
const SETTINGS_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/start.mjs'];

/** The same settings as tsconfig.json (decorator metadata for type-graphql and MikroORM, class fields not defined). */
const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2022',
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
};

function sourceFiles(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, found);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

const signature = (file) => {
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
};

function readManifest() {
  try {
    return JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch {
    return { settings: '', files: {} };
  }
}

async function writeAtomically(file, text) {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.promises.writeFile(tmp, text);
  await fs.promises.rename(tmp, file);
}

/** Compiles the sources whose output is missing or older than they are; removes outputs whose source is gone. */
async function build() {
  const manifest = readManifest();
  const settings = SETTINGS_FILES.map((f) => signature(path.join(root, f))).join('|');
  const files = {};
  const stale = [];
  for (const file of sourceFiles(srcDir)) {
    const rel = path.relative(srcDir, file);
    files[rel] = signature(file);
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    if (manifest.settings !== settings || manifest.files[rel] !== files[rel] || !fs.existsSync(out)) stale.push(rel);
  }
  const gone = Object.keys(manifest.files).filter((rel) => !(rel in files));
  if (!stale.length && !gone.length) return;

  const started = Date.now();
  const swc = await import('@swc/core');
  await Promise.all(
    stale.map(async (rel) => {
      const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
      const { code, map } = await swc.transformFile(path.join(srcDir, rel), {
        ...SWC_OPTIONS,
        filename: path.join(srcDir, rel),
        outputPath: out,
      });
      await fs.promises.mkdir(path.dirname(out), { recursive: true });
      // Written beside and renamed into place: a second start never reads half a file.
      if (map) await writeAtomically(`${out}.map`, map);
      await writeAtomically(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    }),
  );
  for (const rel of gone) {
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    fs.rmSync(out, { force: true });
    fs.rmSync(`${out}.map`, { force: true });
  }
  fs.writeFileSync(manifestFile, JSON.stringify({ settings, files }));
  process.stderr.write(`compiled ${stale.length} changed source file(s) into dist/ in ${Date.now() - started} ms\n`);
}

await build();
// Source maps are written (dist/**/*.js.map) but not enabled: Node would parse every loaded module's map at
// load, 0.1–0.2 s. NODE_OPTIONS=--enable-source-maps npm start gives stack traces in TypeScript lines.
createRequire(import.meta.url)(path.join(outDir, 'main.js'));
