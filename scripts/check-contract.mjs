// The contract guard (`npm run contract:check`; test/contract-guard.test.ts runs it with npm test):
// compares schema/schema.graphql with the last released contract, schema/released/schema.graphql,
// using @graphql-inspector/core.
//
// - A breaking change fails the check unless schema/CHANGELOG.md lists it under "## Unreleased" with a
//   migration note: a list item naming the changed schema coordinate in backticks (e.g. `Query.me` or
//   `Mutation.sendMessage.input`) and containing "Migration:" followed by what integrators must do.
// - Dangerous changes (e.g. a new enum value, a changed default) are printed, never failing.
// - Additions pass.
// - Every @deprecated carries its own reason (@deprecated(reason: "…")), and a field, argument or enum value
//   removed without having been deprecated in the released contract is reported (deprecate first, remove
//   after at least one release).
//
// Usage: node scripts/check-contract.mjs [--released FILE] [--current FILE] [--changelog FILE]
// Exit code 0: the contract holds; 1: a breaking change is not listed, or a deprecation has no reason.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

/** The list items of the CHANGELOG's "## Unreleased" section (each with its continuation lines). */
export function unreleasedEntries(changelog) {
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((l) => /^##\s+Unreleased\b/i.test(l));
  if (start < 0) return [];
  const section = [];
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    section.push(line);
  }
  const entries = [];
  for (const line of section) {
    if (/^\s*[-*]\s+/.test(line)) entries.push(line.replace(/^\s*[-*]\s+/, ''));
    else if (entries.length && /^\s+\S/.test(line)) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries;
}

/** Is this breaking change listed: an entry naming its coordinate (or a parent of it) in backticks, with a migration note? */
export function listedIn(entries, change) {
  const coordinate = change.path ?? '';
  const candidates = new Set();
  const parts = coordinate.split('.');
  for (let i = parts.length; i > 0; i--) candidates.add(parts.slice(0, i).join('.'));
  return entries.some((entry) => {
    const note = /Migration:\s*(\S.{4,})/i.exec(entry);
    if (!note) return false;
    return [...candidates].some((c) => c && entry.includes(`\`${c}\``));
  });
}

/** @deprecated without its own reason (the SDL then says only "No longer supported"). */
function deprecationsWithoutReason(sdl) {
  const found = [];
  sdl.split(/\r?\n/).forEach((line, i) => {
    if (/@deprecated(?!\s*\(\s*reason\s*:\s*"[^"]+)/.test(line)) found.push(`line ${i + 1}: ${line.trim()}`);
  });
  return found;
}

/** Removed schema members that the released contract had not deprecated first. */
function removedWithoutDeprecation(released, changes) {
  const out = [];
  for (const c of changes) {
    if (
      !['FIELD_REMOVED', 'INPUT_FIELD_REMOVED', 'ENUM_VALUE_REMOVED', 'FIELD_ARGUMENT_REMOVED'].includes(c.type) ||
      !c.path
    )
      continue;
    const [typeName, member, arg] = c.path.split('.');
    const type = released.getType(typeName);
    if (!type) continue;
    let deprecated = false;
    if (c.type === 'ENUM_VALUE_REMOVED') deprecated = Boolean(type.getValue?.(member)?.deprecationReason);
    else if (c.type === 'FIELD_ARGUMENT_REMOVED')
      deprecated = Boolean(type.getFields?.()[member]?.args.find((a) => a.name === arg)?.deprecationReason);
    else deprecated = Boolean(type.getFields?.()[member]?.deprecationReason);
    if (!deprecated) out.push(c.path);
  }
  return out;
}

export async function checkContract({ releasedFile, currentFile, changelogFile }) {
  const releasedSdl = fs.readFileSync(releasedFile, 'utf8');
  const currentSdl = fs.readFileSync(currentFile, 'utf8');
  const changelog = fs.existsSync(changelogFile) ? fs.readFileSync(changelogFile, 'utf8') : '';
  const released = buildSchema(releasedSdl);
  const current = buildSchema(currentSdl);
  const changes = await diff(released, current);
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const dangerous = changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous);
  const additions = changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking);
  const entries = unreleasedEntries(changelog);
  const unlisted = breaking.filter((c) => !listedIn(entries, c));
  return {
    breaking,
    dangerous,
    additions,
    unlisted,
    undeprecatedRemovals: removedWithoutDeprecation(released, breaking),
    reasonless: deprecationsWithoutReason(currentSdl),
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const releasedFile = option('released', path.join(root, 'schema/released/schema.graphql'));
  const currentFile = option('current', path.join(root, 'schema/schema.graphql'));
  const changelogFile = option('changelog', path.join(root, 'schema/CHANGELOG.md'));
  const r = await checkContract({ releasedFile, currentFile, changelogFile });
  const show = (c) => `  - ${c.path ? `\`${c.path}\` ` : ''}${c.type}: ${c.message}`;
  console.log(`Contract check: ${path.relative(root, currentFile)} against ${path.relative(root, releasedFile)}`);
  console.log(
    `  ${r.additions.length} addition(s), ${r.dangerous.length} dangerous change(s), ${r.breaking.length} breaking change(s)`,
  );
  if (r.dangerous.length) {
    console.log('Dangerous changes (allowed; clients may behave differently, e.g. an exhaustive switch over an enum):');
    for (const c of r.dangerous) console.log(show(c));
  }
  if (r.undeprecatedRemovals.length) {
    console.log(
      'Removed without being deprecated in the released contract first (deprecate with @deprecated(reason:) and keep for at least one release):',
    );
    for (const p of r.undeprecatedRemovals) console.log(`  - \`${p}\``);
  }
  const listed = r.breaking.filter((c) => !r.unlisted.includes(c));
  if (listed.length) {
    console.log('Breaking changes listed in the CHANGELOG with a migration note:');
    for (const c of listed) console.log(show(c));
  }
  let failed = false;
  if (r.unlisted.length) {
    failed = true;
    console.error(`Breaking changes not listed in ${path.relative(root, changelogFile)}:`);
    for (const c of r.unlisted) console.error(show(c));
    console.error(
      'Either keep the contract (deprecate instead of removing; add instead of changing), or list each under "## Unreleased" as',
    );
    console.error('  - `Type.field` <what changed>. Migration: <what integrators must do>.');
  }
  if (r.reasonless.length) {
    failed = true;
    console.error('@deprecated without a reason (say what to use instead: @deprecated(reason: "Use … instead.")):');
    for (const l of r.reasonless) console.error(`  - ${l}`);
  }
  console.log(failed ? 'Contract check FAILED.' : 'Contract check passed.');
  process.exit(failed ? 1 : 0);
}
