import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, isAlive, killLeftovers, postmasterPid, stopLeftoverPostgres } from '../testkit/process';

/**
 * `npm start` runs scripts/start.mjs: it compiles into dist/ whatever in src/ is missing there or changed, then
 * runs the server on the embedded PostgreSQL in the same process. Run here from a copy of the repository's
 * sources (node_modules linked), so the test may delete and touch files freely.
 */
jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../..');
/** Loaded only when first used (issue 12 item 4): none of them by a start with nothing to migrate or seed. */
const LAZY = ['pdf-lib', 'sanitize-html', 'nodemailer', 'ioredis', 'fflate', 'umzug'];

let root: string;
let dataDir: string;
let pgPort: number;
let preload: string;
const running: Started[] = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-start-script-'));
  // As root, PostgreSQL runs as the postgres user, which must reach its data directory.
  await fs.chmod(root, 0o755);
  dataDir = path.join(root, 'data');
  pgPort = await freePort();
  await fs.cp(path.join(REPO, 'src'), path.join(root, 'src'), { recursive: true });
  await fs.mkdir(path.join(root, 'scripts'));
  await fs.copyFile(path.join(REPO, 'scripts/start.mjs'), path.join(root, 'scripts/start.mjs'));
  await fs.copyFile(path.join(REPO, 'scripts/swc-options.json'), path.join(root, 'scripts/swc-options.json'));
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'])
    await fs.copyFile(path.join(REPO, f), path.join(root, f));
  await fs.symlink(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  // The web UIs' trusted documents (the server reads them), dated back, and stand-ins for their builds: the UIs
  // count as built, so the start builds none (vite is not what this test is about).
  for (const ui of ['staff', 'citizen']) {
    const rel = `clients/${ui}/src/generated/persisted-documents.json`;
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.copyFile(path.join(REPO, rel), path.join(root, rel));
    await fs.mkdir(path.join(root, 'build/web', ui), { recursive: true });
    await fs.writeFile(path.join(root, 'build/web', ui, 'index.html'), '<!doctype html><title>stand-in</title>\n');
  }
  await backdate(path.join(root, 'clients'));
  // Which modules a start loaded: written by the server process as it exits.
  preload = path.join(root, 'loaded-modules.js');
  await fs.writeFile(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(path.join(root, 'loaded.json'))}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
});
afterEach(async () => {
  await killLeftovers(running);
});
afterAll(async () => {
  await stopLeftoverPostgres(dataDir);
  await fs.rm(root, { recursive: true, force: true });
});

test('ST1 a first start compiles dist/, gets ready on a new embedded PostgreSQL, and SIGTERM exits 0 with PostgreSQL stopped', async () => {
  const p = await startScript();
  await p.ready();
  expect(p.output()).toMatch(/compiled \d+ changed source file\(s\) into dist\//);
  await expect(fs.stat(path.join(root, 'dist/src/main.js'))).resolves.toBeTruthy();
  expect(p.output()).toMatch(/"demo data loaded"/);
  const pid = await postmasterPid(dataDir);
  expect(pid && isAlive(pid)).toBe(true);

  p.child.kill('SIGTERM');
  expect(await p.exited).toEqual({ code: 0, signal: null });
  expect(p.output()).toMatch(/"embedded PostgreSQL stopped"/);
  expect(isAlive(pid!)).toBe(false);
});

test('ST2 the next start compiles only a touched source and a deleted output, and loads no rarely used package', async () => {
  const touched = path.join(root, 'src/log.ts');
  const later = new Date(Date.now() + 2_000);
  await fs.utimes(touched, later, later);
  const compiledBefore = (await fs.stat(path.join(root, 'dist/src/log.js'))).mtimeMs;
  await fs.rm(path.join(root, 'dist/src/pdf/layout.js'));

  const p = await startScript({ NODE_OPTIONS: `--require ${preload}` });
  await p.ready();
  expect(p.output()).toMatch(/compiled 2 changed source file\(s\) into dist\//);
  expect((await fs.stat(path.join(root, 'dist/src/log.js'))).mtimeMs).toBeGreaterThan(compiledBefore);
  await expect(fs.stat(path.join(root, 'dist/src/pdf/layout.js'))).resolves.toBeTruthy();
  expect(p.output()).toMatch(/"demo data already present"/);
  const pid = await postmasterPid(dataDir);

  p.child.kill('SIGTERM');
  expect(await p.exited).toEqual({ code: 0, signal: null });
  expect(isAlive(pid!)).toBe(false);
  const loaded = JSON.parse(await fs.readFile(path.join(root, 'loaded.json'), 'utf8')) as string[];
  const packages = new Set(loaded.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]));
  expect(LAZY.filter((name) => packages.has(name))).toEqual([]);
  expect(packages.has('@mikro-orm/core')).toBe(true); // the trace saw the server's modules
});

test('ST3 a start with nothing changed compiles nothing and runs on the module locations and code cache kept by the last', async () => {
  const dist = await fs.readdir(path.join(root, 'dist'));
  expect(dist).toEqual(
    expect.arrayContaining(['.resolve-cache.json', expect.stringMatching(/^\.compile-cache-.*\.bin$/)]),
  );
  const p = await startScript();
  await p.ready();
  expect(p.output()).not.toMatch(/compiled \d+ changed source file/);
  p.child.kill('SIGTERM');
  expect(await p.exited).toEqual({ code: 0, signal: null });
});

interface Started {
  child: ReturnType<typeof spawn>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** Polls /readyz until it answers 200; rejects with the output if the process exits first. */
  ready(): Promise<void>;
}

async function startScript(env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    // No DATABASE_URL: the embedded PostgreSQL, as `npm start` runs for a newcomer.
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_FORMAT: 'json',
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    }),
  );
  const started: Started = {
    child,
    exited,
    output: () => out,
    async ready() {
      for (let i = 0; i < 1_000; i++) {
        if (hasExited) throw new Error(`start.mjs exited before /readyz answered 200:\n${out}`);
        const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`/readyz did not answer 200 within 100 s:\n${out}`);
    },
  };
  running.push(started);
  return started;
}

/** Sets a file tree's times (directories too: a directory's mtime counts as a source's) a day back. */
async function backdate(p: string): Promise<void> {
  const stat = await fs.stat(p);
  if (stat.isDirectory()) for (const entry of await fs.readdir(p)) await backdate(path.join(p, entry));
  const dayAgo = new Date(Date.now() - 86_400_000);
  await fs.utimes(p, dayAgo, dayAgo);
}
