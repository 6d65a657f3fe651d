// `npm start`: runs the compiled server (dist/src/main.js) in this process, compiling first whatever in src/
// changed since. Plain ESM JavaScript so nothing needs compiling before it runs. Compiling on every start (the swc
// loader, `node -r @swc-node/register`) cost 0.5–0.7 s; this costs a stat of each source file when nothing changed,
// and V8's code cache and the modules' locations (enableCompileCache, enableResolveCache below) spare compiling the
// server's JavaScript and looking for its modules again.
// `npm run build` (tsc, with type checking) writes the same dist/ layout; production runs `npm run start:prod`.
import { hash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');
const outDir = path.join(root, 'dist/src');
/** What each output was compiled from: the source's size and mtime, and the compiler settings. */
const manifestFile = path.join(root, 'dist/.start-build.json');
/** Anything that changes how every file compiles: a change here recompiles everything. */
const SETTINGS_FILES = [
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  'scripts/start.mjs',
  'scripts/swc-options.json',
];

/**
 * The same settings as tsconfig.json (decorator metadata for type-graphql and MikroORM, class fields not defined),
 * from the file jest.config.js reads too, so the tests run code compiled as the server's.
 */
const SWC_OPTIONS = {
  ...JSON.parse(fs.readFileSync(path.join(root, 'scripts/swc-options.json'), 'utf8')),
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

/**
 * V8's code cache for the CommonJS modules the server loads (Node 22's module.enableCompileCache(), which Node 20
 * lacks): compiling ~1,900 modules' JavaScript was a fifth of a second start's CPU (issue 12 item 4). Each module's
 * cache is kept with a hash of its source and used only for that exact source; V8 rejects it too after a Node
 * upgrade. Written at exit when a module was compiled anew. Left to Node's own loader: ES modules, modules with
 * an import() (the cached code would lose its loader: "A dynamic import callback was not specified"), sources
 * that do not compile as a function body (a hashbang), and runs with source maps or the inspector.
 */
function enableCompileCache(file) {
  if (process.sourceMapsEnabled || process.execArgv.some((a) => a.startsWith('--inspect'))) return;
  const cached = new Map(); // filename -> { hash, data }
  try {
    const blob = fs.readFileSync(file);
    const indexLength = blob.readUInt32LE(0);
    let offset = 4 + indexLength;
    for (const [filename, sourceHash, length] of JSON.parse(blob.subarray(4, offset).toString())) {
      cached.set(filename, { hash: sourceHash, data: blob.subarray(offset, offset + length) });
      offset += length;
    }
  } catch {
    cached.clear(); // none yet, or unreadable: made anew
  }
  const compiledAnew = new Map(); // filename -> { hash, script }
  const used = new Set(); // what this run loaded: the cache keeps only that (a removed package's modules drop out)
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename, format) {
    if (format === 'module' || /\bimport\s*\(/.test(content)) return compile.call(this, content, filename, format);
    const sourceHash = hash('sha1', content);
    const entry = cached.get(filename);
    let script;
    try {
      script = new vm.Script(Module.wrap(content), {
        filename,
        cachedData: entry?.hash === sourceHash ? entry.data : undefined,
      });
    } catch {
      return compile.call(this, content, filename, format); // Node reports the error, or compiles what vm cannot
    }
    used.add(filename);
    if (entry?.hash !== sourceHash || script.cachedDataRejected)
      compiledAnew.set(filename, { hash: sourceHash, script });
    const module = this;
    // What Node's makeRequireFunction gives a module.
    const require = (id) => module.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    if (!compiledAnew.size) return;
    try {
      // After the run, so the cache holds the functions V8 compiled lazily as well.
      for (const [filename, { hash: sourceHash, script }] of compiledAnew)
        cached.set(filename, { hash: sourceHash, data: script.createCachedData() });
      const kept = [...cached].filter(([filename]) => used.has(filename));
      const head = Buffer.from(JSON.stringify(kept.map(([filename, e]) => [filename, e.hash, e.data.length])));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(head.length);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, Buffer.concat([length, head, ...kept.map(([, e]) => e.data)]));
      fs.renameSync(tmp, file);
    } catch {
      /* a cache: the next start compiles again */
    }
  });
}

/**
 * Where each require() of the server found its module, kept between starts: Node looks for every one anew, through
 * node_modules directories, file extensions and package.json files, about a tenth of a second start's CPU (issue 12
 * item 4). A kept answer is used while its file exists and nothing that changes answers has: package-lock.json (an
 * install moves packages), Node's flags, NODE_OPTIONS. A removed source's output is deleted by build(), so a
 * require of it is looked up again.
 */
function enableResolveCache(file) {
  const valid = [
    signature(path.join(root, 'package-lock.json')),
    process.version,
    ...process.execArgv,
    process.env.NODE_OPTIONS ?? '',
  ].join('|');
  let found = {};
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (saved.valid === valid) found = saved.found;
  } catch {
    /* none yet */
  }
  let added = false;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (options || isMain || !parent?.filename || Module.isBuiltin(request))
      return resolve.call(this, request, parent, isMain, options);
    const key = `${path.dirname(parent.filename)}\0${request}`;
    const kept = found[key];
    if (kept !== undefined && fs.existsSync(kept)) return kept;
    const resolved = resolve.call(this, request, parent, isMain, options);
    found[key] = resolved;
    added = true;
    return resolved;
  };
  process.once('exit', () => {
    if (!added) return;
    try {
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify({ valid, found }));
      fs.renameSync(tmp, file);
    } catch {
      /* a cache: the next start looks again */
    }
  });
}

await build();
enableResolveCache(path.join(root, 'dist/.resolve-cache.json'));
enableCompileCache(path.join(root, `dist/.compile-cache-${process.version}-${process.arch}.bin`));
// Source maps are written (dist/**/*.js.map) but not enabled: Node would parse every loaded module's map at
// load, 0.1–0.2 s. NODE_OPTIONS=--enable-source-maps npm start gives stack traces in TypeScript lines.
createRequire(import.meta.url)(path.join(outDir, 'main.js'));
