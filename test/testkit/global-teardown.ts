import fs from 'node:fs/promises';
import { Client } from 'pg';

export default async function globalTeardown() {
  const run = (globalThis as any).__IFO_TEST__;
  if (run) {
    const admin = new Client({ connectionString: run.adminUrl });
    await admin.connect();
    // Per-file databases are dropped by their files; the template and any leftovers go here.
    const { rows } = await admin.query(
      `select datname from pg_database where datname like 'ifo_t_${process.pid}_%' or datname = $1`,
      [run.templateName],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    await fs.rm(run.keysDir, { recursive: true, force: true });
  }
  const embedded = (globalThis as any).__IFO_EMBEDDED__;
  if (embedded) {
    await embedded.db.stop();
    await fs.rm(embedded.dataDir, { recursive: true, force: true });
  }
}
