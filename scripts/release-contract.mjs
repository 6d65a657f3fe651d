// Releases the contract (`npm run contract:release -- [name]`): the current schema/schema.graphql becomes
// the released contract schema/released/schema.graphql that the contract guard (scripts/check-contract.mjs)
// compares against, and the CHANGELOG's "## Unreleased" entries move under a heading for this release
// (the name given, or today's date), leaving an empty "## Unreleased" for the next one.
// Run it when a version is handed to integrators; commit both files with the release.
// Deprecations stay for at least one release: remove a deprecated member only in a later release.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkContract } from './check-contract.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --schema-dir DIR: another copy of schema/ (the tests release a scratch copy).
const dirAt = process.argv.indexOf('--schema-dir');
const schemaDir = dirAt > 0 ? path.resolve(process.argv[dirAt + 1]) : path.join(root, 'schema');
const currentFile = path.join(schemaDir, 'schema.graphql');
const releasedFile = path.join(schemaDir, 'released/schema.graphql');
const changelogFile = path.join(schemaDir, 'CHANGELOG.md');
const args = process.argv.slice(2).filter((a, i, all) => a !== '--schema-dir' && all[i - 1] !== '--schema-dir');
if (args.some((a) => a.startsWith('-'))) {
  console.error("Usage: npm run contract:release -- [release name, default today's date] [--schema-dir DIR]");
  process.exit(2);
}
const name = args[0] ?? new Date().toISOString().slice(0, 10);

const check = await checkContract({ releasedFile, currentFile, changelogFile });
if (check.unlisted.length || check.reasonless.length) {
  console.error('The contract check fails: run npm run contract:check and fix what it says before releasing.');
  process.exit(1);
}

const changelog = fs.readFileSync(changelogFile, 'utf8');
const lines = changelog.split('\n');
const start = lines.findIndex((l) => /^##\s+Unreleased\b/i.test(l));
if (start < 0) {
  console.error(`${path.relative(root, changelogFile)} has no "## Unreleased" section.`);
  process.exit(1);
}
let end = lines.findIndex((l, i) => i > start && /^##\s/.test(l));
if (end < 0) end = lines.length;
const body = lines
  .slice(start + 1, end)
  .join('\n')
  .trim();
const released = [`## ${name}`, '', body || '- No change to the contract.', ''];
const next = [...lines.slice(0, start + 1), '', ...released, ...lines.slice(end)];
fs.writeFileSync(changelogFile, next.join('\n').replace(/\n{3,}/g, '\n\n'));
fs.mkdirSync(path.dirname(releasedFile), { recursive: true });
fs.copyFileSync(currentFile, releasedFile);
console.log(
  `Released the contract as "${name}": ${path.relative(root, releasedFile)} and ${path.relative(root, changelogFile)} updated; commit both.`,
);
