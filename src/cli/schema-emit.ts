import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { getSchema, printContract } from '../schema';

/** `npm run schema:emit`: writes the sorted SDL contract to schema/schema.graphql. */
async function main() {
  const file = path.resolve(__dirname, '../../schema/schema.graphql');
  const sdl = printContract(await getSchema());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  fs.writeFileSync(file, sdl);
  process.stdout.write(before === sdl ? `schema unchanged: ${file}\n` : `schema written: ${file}\n`);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
