import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The Dockerfile builds the same dist/ as `npm run build`. Docker is not
 * available where the tests run, so its build stage is replayed: the files it
 * COPYs from the build context (less .dockerignore) go into an empty
 * directory, its RUN steps run there (npm ci is the repository's installed
 * node_modules, linked), and the dist/ that comes out is compared file by file
 * with the dist/ of `npm run build` run on the whole working tree.
 */
const ROOT = path.resolve(__dirname, '../..');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  steps: Instruction[];
}

/** Instructions with their continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ from: m[1], name: m[2] ?? String(stages.length), steps: [] });
    } else if (stages.length) stages[stages.length - 1].steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

const dockerfile = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const build = dockerfile.find((s) => s.name === 'build')!;
const runtime = dockerfile[dockerfile.length - 1];
const ignored = fs
  .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Every file under dir, relative, with its sha256. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** The build context as docker sends it: the working tree less .dockerignore (top-level names and *.ext patterns). */
function inContext(rel: string): boolean {
  const top = rel.split(path.sep)[0];
  return !ignored.some((pattern) => (pattern.startsWith('*.') ? rel.endsWith(pattern.slice(1)) : top === pattern));
}

function copyFromContext(src: string, dest: string) {
  const from = path.join(ROOT, src);
  if (!fs.existsSync(from)) throw new Error(`The Dockerfile copies ${src}, which is not in the build context`);
  fs.cpSync(from, dest, { recursive: true, filter: (f) => inContext(path.relative(ROOT, f)) || f === ROOT });
}

function run(cmd: string, cwd: string) {
  const r = spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('DF1 the Dockerfile', () => {
  test('is multi-stage, runs as a non-root user, installs production dependencies only over the built output', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const ops = runtime.steps.map((s) => `${s.op} ${s.args}`);
    expect(ops.some((s) => /^RUN npm ci --omit=dev\b/.test(s))).toBe(true);
    expect(ops).toContain('COPY --from=build /app/dist ./dist');
    expect(ops).toContain('COPY --from=build /app/build/web ./build/web');
    const user = runtime.steps.filter((s) => s.op === 'USER').pop();
    expect(user?.args).toMatch(/^(node|\d+)$/);
    expect(user?.args).not.toMatch(/^(root|0)$/);
    // No build tool reaches the runtime stage: it copies only from the build stage and the lockfile.
    expect(
      runtime.steps.filter((s) => s.op === 'COPY' && !s.args.startsWith('--from=build')).map((s) => s.args),
    ).toEqual(['package.json package-lock.json ./']);
    // It starts the compiled server.
    expect(runtime.steps.find((s) => s.op === 'CMD')?.args).toBe('["node", "dist/src/main.js"]');
    // The build stage makes the web UIs too (their inputs are copied: clients/, scripts/).
    expect(build.steps.map((s) => `${s.op} ${s.args}`)).toContain('RUN npm run build:web');
  });

  test('builds the same dist/ as `npm run build`', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-'));
    try {
      // The Dockerfile's build stage, replayed.
      const image = path.join(work, 'image');
      fs.mkdirSync(image);
      const skipped: string[] = [];
      for (const step of build.steps) {
        if (step.op === 'WORKDIR' || step.op === 'ARG' || step.op === 'ENV') continue;
        if (step.op === 'COPY') {
          const parts = step.args.split(/\s+/);
          expect(parts[0].startsWith('--')).toBe(false);
          const dest = parts.pop()!;
          // Several sources, or a destination ending in /: each goes into that directory; one source: it becomes the destination.
          const intoDir = parts.length > 1 || dest.endsWith('/');
          for (const src of parts)
            copyFromContext(src, intoDir ? path.join(image, dest, path.basename(src)) : path.join(image, dest));
          continue;
        }
        if (step.op === 'RUN') {
          if (/^npm ci\b/.test(step.args)) {
            fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(image, 'node_modules'), 'dir');
            continue;
          }
          if (step.args === 'npm run build:web') {
            skipped.push(step.args); // makes build/web, not dist/
            continue;
          }
          const r = run(step.args, image);
          if (r.status !== 0) throw new Error(`The Dockerfile's "RUN ${step.args}" failed:\n${r.out}`);
          continue;
        }
        throw new Error(`a build-stage instruction this test does not replay: ${step.op} ${step.args}`);
      }
      expect(skipped).toEqual(['npm run build:web']);

      // `npm run build` on the whole working tree (tracked and new files, as a developer has them).
      const whole = path.join(work, 'whole');
      const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
        cwd: ROOT,
        encoding: 'utf8',
      })
        .split('\0')
        .filter(Boolean);
      for (const f of files) {
        if (!fs.existsSync(path.join(ROOT, f))) continue; // deleted in the working tree
        fs.mkdirSync(path.dirname(path.join(whole, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(whole, f));
      }
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(whole, 'node_modules'), 'dir');
      const reference = run('npm run build', whole);
      if (reference.status !== 0) throw new Error(`npm run build failed:\n${reference.out}`);

      const fromDocker = tree(path.join(image, 'dist'));
      const fromNpm = tree(path.join(whole, 'dist'));
      expect(fromNpm.has('src/main.js')).toBe(true);
      expect([...fromDocker.keys()].sort()).toEqual([...fromNpm.keys()].sort());
      const differing = [...fromNpm].filter(([f, hash]) => fromDocker.get(f) !== hash).map(([f]) => f);
      expect(differing).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
