import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kind, parse, print, visit, type DocumentNode } from 'graphql';

const ROOT = path.resolve(__dirname, '..');
const CHECK = path.join(ROOT, 'scripts/check-contract.mjs');
const RELEASE = path.join(ROOT, 'scripts/release-contract.mjs');

function check(dir: string) {
  const r = spawnSync(
    process.execPath,
    [
      CHECK,
      '--released',
      path.join(dir, 'released/schema.graphql'),
      '--current',
      path.join(dir, 'schema.graphql'),
      '--changelog',
      path.join(dir, 'CHANGELOG.md'),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('K1 the contract guard on this repository (npm test runs it)', () => {
  test('schema/schema.graphql keeps the released contract (schema/released/schema.graphql) or the CHANGELOG lists each break', () => {
    const r = check(path.join(ROOT, 'schema'));
    if (r.status !== 0) throw new Error(`The contract check failed:\n${r.out}`);
    expect(r.out).toContain('Contract check passed.');
  });
});

describe('K2 a scratch copy of the schema in its own git repository', () => {
  let dir: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Contract test', '-c', 'user.email=contract@example.invalid', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const write = (f: string, text: string) => fs.writeFileSync(path.join(dir, f), text);
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
  };
  /** The schema with a change made to its syntax tree, printed back. */
  const edit = (change: (doc: DocumentNode) => DocumentNode) =>
    write('schema.graphql', print(change(parse(read('schema.graphql')))));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    fs.mkdirSync(path.join(dir, 'released'));
    const released = fs.readFileSync(path.join(ROOT, 'schema/released/schema.graphql'), 'utf8');
    write('released/schema.graphql', released);
    write('schema.graphql', released);
    write('CHANGELOG.md', '# Contract changelog\n\n## Unreleased\n\n## 2026-01-01\n\n- First release.\n');
    git('init', '-q');
    commit('released contract');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const removeQueryField = (name: string) => (doc: DocumentNode) =>
    visit(doc, {
      ObjectTypeDefinition: (node) =>
        node.name.value === 'Query'
          ? { ...node, fields: node.fields?.filter((f) => f.name.value !== name) }
          : undefined,
    });

  test('a breaking change fails the check, and passes once the CHANGELOG lists it with a migration note', () => {
    expect(read('schema.graphql')).toMatch(/^\s+me: /m);
    edit(removeQueryField('me'));
    commit('remove Query.me');
    const failed = check(dir);
    expect(failed.status).toBe(1);
    expect(failed.out).toMatch(/Breaking changes not listed in .*CHANGELOG\.md:\n\s+- `Query\.me` FIELD_REMOVED/);
    // Removed without a deprecation first: said, too.
    expect(failed.out).toMatch(/Removed without being deprecated[^\n]*\n\s+- `Query\.me`/);

    // Listed, but without a migration note: still refused.
    write('CHANGELOG.md', read('CHANGELOG.md').replace('## Unreleased\n', '## Unreleased\n\n- `Query.me` removed.\n'));
    commit('changelog without a migration note');
    expect(check(dir).status).toBe(1);

    write(
      'CHANGELOG.md',
      read('CHANGELOG.md').replace(
        '- `Query.me` removed.\n',
        '- `Query.me` removed. Migration: read your own details with `Query.myContactDetails`.\n',
      ),
    );
    commit('changelog lists the break');
    const passed = check(dir);
    expect(passed.status).toBe(0);
    expect(passed.out).toMatch(/Breaking changes listed in the CHANGELOG[^\n]*\n\s+- `Query\.me` FIELD_REMOVED/);
    expect(passed.out).toContain('Contract check passed.');
  });

  test('additions pass without an entry (other work adds fields all the time); dangerous changes are printed, not failed', () => {
    edit((doc) =>
      visit(doc, {
        ObjectTypeDefinition: (node) =>
          node.name.value === 'Query'
            ? {
                ...node,
                fields: [
                  ...(node.fields ?? []),
                  { ...node.fields![0], name: { kind: Kind.NAME, value: 'aNewField' }, arguments: [] },
                ],
              }
            : undefined,
        EnumTypeDefinition: (node) =>
          node.name.value === 'NoticeKind'
            ? {
                ...node,
                values: [
                  ...(node.values ?? []),
                  { ...node.values![0], name: { kind: Kind.NAME, value: 'SOMETHING_NEW' } },
                ],
              }
            : undefined,
      }),
    );
    commit('additions');
    const r = check(dir);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/[1-9]\d* addition\(s\), 1 dangerous change\(s\), 0 breaking change\(s\)/);
    expect(r.out).toMatch(/Dangerous changes[^\n]*\n\s+- `NoticeKind\.SOMETHING_NEW` ENUM_VALUE_ADDED/);
  });

  test('a deprecation needs its own reason', () => {
    write('schema.graphql', read('schema.graphql').replace(/^(\s+me: [^\n]+)$/m, '$1 @deprecated'));
    commit('deprecate without a reason');
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/@deprecated without a reason/);
    write(
      'schema.graphql',
      read('schema.graphql').replace(
        /^(\s+me: [^\n]+) @deprecated$/m,
        '$1 @deprecated(reason: "Use `myContactDetails`.")',
      ),
    );
    commit('deprecate with a reason');
    expect(check(dir).status).toBe(0);
  });

  test('releasing makes the current schema the contract and moves the entries under the release', () => {
    edit(removeQueryField('me'));
    write(
      'CHANGELOG.md',
      read('CHANGELOG.md').replace(
        '## Unreleased\n',
        '## Unreleased\n\n- `Query.me` removed. Migration: use `Query.myContactDetails`.\n',
      ),
    );
    commit('a listed break');
    execFileSync(process.execPath, [RELEASE, '2.0', '--schema-dir', dir], { cwd: ROOT });
    expect(read('released/schema.graphql')).toBe(read('schema.graphql'));
    const changelog = read('CHANGELOG.md');
    expect(changelog).toMatch(/## Unreleased\n\n## 2\.0\n\n- `Query\.me` removed\. Migration:/);
    const r = check(dir);
    expect(r.status).toBe(0);
    expect(r.out).toContain('0 breaking change(s)');
  });
});
