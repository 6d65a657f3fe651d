import type { EntityManager } from '@mikro-orm/postgresql';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { initOrm, type Orm } from '../../src/db/orm';
import { loadConfig } from '../../src/config';
import { RetentionService } from '../../src/domain/retention.service';
import { RetentionRule } from '../../src/entities/retention-run';
import { Attachment } from '../../src/entities/attachment';
import { Draft } from '../../src/entities/draft';
import { Staff } from '../../src/entities/staff';
import { PostgresBlobStore } from '../../src/storage/blob-store';
import { createTestDatabase } from '../testkit/server';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm(db.url, { poolMax: 2 });
  await seedDemoData(orm.em.fork());
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

const em = () => orm.em.fork() as EntityManager;
/** The gallring rule that removes unsent uploads (RETENTION_UNSENT_UPLOAD_HOURS, default 24). */
const purgeUnsentUploads = async (e: EntityManager) =>
  (await new RetentionService(e, loadConfig({}).retention).run(RetentionRule.UNSENT_UPLOADS))!.removed.uploads;

async function upload(name: string, hoursOld: number, storageKey?: string): Promise<Attachment> {
  const e = em();
  const marita = await e.findOneOrFail(Staff, { username: DEMO.caseworker });
  const key =
    storageKey ?? (await e.transactional((tx) => new PostgresBlobStore().put(tx, Buffer.from(`%PDF-1.4 ${name}`))));
  const a = e.create(Attachment, {
    filename: `${name}.pdf`,
    size: 10,
    sha256: 'x',
    storageKey: key,
    uploadedByStaff: marita,
  });
  await e.flush();
  await e
    .getConnection()
    .execute(`update attachment set created_at = now() - make_interval(hours => ?) where id = ?`, [hoursOld, a.id]);
  return a;
}

const exists = async (id: string) => (await em().count(Attachment, { id })) === 1;
const blobExists = async (key: string) =>
  (await em().getConnection().execute('select 1 from attachment_blob where key = ?', [key])).length === 1;

test('UH1 uploads never sent are removed after a day with their bytes; those a draft keeps, fresh ones and bytes still shared stay', async () => {
  const stale = await upload('gammal', 30);
  const fresh = await upload('ny', 1);
  const kept = await upload('i-utkast', 30);
  const sharedOld = await upload('delad', 30);
  const sharedFresh = await upload('delad-kopia', 1, sharedOld.storageKey);
  const e = em();
  const marita = await e.findOneOrFail(Staff, { username: DEMO.caseworker });
  e.create(Draft, { ownerStaff: marita, attachmentIds: [kept.id] });
  await e.flush();

  expect(await purgeUnsentUploads(em())).toBe(2);

  expect(await exists(stale.id)).toBe(false);
  expect(await blobExists(stale.storageKey)).toBe(false);
  expect(await exists(fresh.id)).toBe(true);
  expect(await exists(kept.id)).toBe(true);
  expect(await exists(sharedOld.id)).toBe(false);
  expect(await exists(sharedFresh.id)).toBe(true);
  expect(await blobExists(sharedOld.storageKey)).toBe(true); // still used by the fresh copy
  expect(await purgeUnsentUploads(em())).toBe(0);
});
