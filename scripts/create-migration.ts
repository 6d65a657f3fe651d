import 'reflect-metadata';
import { initOrm } from '../src/db/orm';
async function main() {
  const url = process.argv[2];
  const orm = await initOrm(url);
  const res = await orm.getMigrator().createMigration('src/migrations', false, process.argv[3] === 'initial', process.argv[4]);
  console.log(res.fileName, res.code.length);
  await orm.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
