import { spawn } from 'node:child_process';
import path from 'node:path';
import { seedDemoData } from '../../src/db/demo-data';
import { startTestServer, type TestServer } from '../testkit/server';

/**
 * The README's walk-throughs run as written against a real server, so they
 * cannot rot: `npm run demo:messaging` and `npm run demo:notices`.
 */
const ROOT = path.resolve(__dirname, '../..');
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
});
afterAll(() => t.close());

function runScript(script: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        AUTH_MODE: 'dev',
        DATA_DIR: t.config.dataDir,
        API_URL: t.url,
        API_URL_B: t.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('RM1 demo:messaging: send with PDF and receipt, unread, download, read, reply, receipt and reply seen', async () => {
  const { code, out } = await runScript('scripts/demo-messaging.ts');
  expect(out).toContain('7. Marita sees the receipt: Tolvan Tolvansson read it at');
  expect(out).toMatch(/and the reply: "SV: Beslut om ekonomiskt bistånd"/);
  expect(code).toBe(0);
}, 60_000);

test("RM2 demo:notices: staff and citizen clients receive each other's notices live", async () => {
  const { code, out } = await runScript('scripts/demo-notices.ts');
  expect(out).toContain('READ_RECEIPT read by Tolvan Tolvansson');
  expect(out).toContain("Both clients received each other's notices live.");
  expect(code).toBe(0);
}, 60_000);
