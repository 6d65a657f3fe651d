import {
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The schema walk behind test/api/reachability.test.ts: selection sets
 * generated from the executable schema (every object-returning field, to a
 * bounded number of hops, never the same edge twice on one path), and the
 * walk of a response back into the object instances it reached, each with
 * the path that reached it.
 */

/** A field that returns an object but that the walk cannot follow, and why. */
export interface Uncovered {
  field: string;
  reason: string;
}

export interface WalkOptions {
  /** Object edges followed from a root field's object (connection wrappers do not count). */
  maxHops: number;
  /** Leaf fields to select besides the identity (e.g. a person's contact details). */
  extraLeaves?: Record<string, readonly string[]>;
}

/** `XConnection { edges nodes pageInfo }` and `XEdge { cursor node }`: the list itself, not an edge of the graph. */
export function isConnection(t: GraphQLObjectType): boolean {
  const f = t.getFields();
  return t.name.endsWith('Connection') && 'nodes' in f && 'edges' in f;
}
export function isEdge(t: GraphQLObjectType): boolean {
  const f = t.getFields();
  return t.name.endsWith('Edge') && 'node' in f && 'cursor' in f;
}

const requiredArgs = (f: GraphQLField<unknown, unknown>) =>
  f.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** What identifies an instance in a response: `id` when the type has one, else every argument-free leaf field. */
export function identityFields(t: GraphQLObjectType, extra: readonly string[] = []): string[] {
  const fields = Object.values(t.getFields());
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0).map((f) => f.name);
  const ids = leaves.includes('id') ? ['id'] : leaves;
  return [...new Set([...ids, ...extra.filter((e) => leaves.includes(e))])];
}

/**
 * Builds selection sets. `uncovered` collects every object field it had to
 * leave out (required arguments, abstract types), once each.
 */
export class SelectionBuilder {
  readonly uncovered = new Map<string, string>();
  /** Number of object fields selected in the last build (a size measure). */
  fieldCount = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly opts: WalkOptions,
  ) {}

  /** The selection set (with braces) below an object of type `typeName`. */
  build(typeName: string): string {
    const t = this.schema.getType(typeName);
    if (!isObjectType(t)) throw new Error(`${typeName} is not an object type`);
    this.fieldCount = 0;
    return this.select(t, 0, new Set());
  }

  private select(t: GraphQLObjectType, hops: number, onPath: Set<string>): string {
    const parts = ['__typename', ...identityFields(t, this.opts.extraLeaves?.[t.name] ?? [])];
    const structural = isConnection(t) || isEdge(t);
    for (const f of Object.values(t.getFields())) {
      const target = getNamedType(f.type);
      if (isLeafType(target)) continue;
      const key = `${t.name}.${f.name}`;
      if (!isObjectType(target)) {
        this.uncovered.set(key, `returns the abstract type ${target.name}; add its members to the walk`);
        continue;
      }
      const missing = requiredArgs(f);
      if (missing.length) {
        this.uncovered.set(
          key,
          `required argument(s) ${missing.map((a) => a.name).join(', ')} cannot be filled below the root`,
        );
        continue;
      }
      if (isConnection(t) && f.name === 'edges') {
        // edges[].node is the same list as nodes (walked in full below): identity only, so it is still checked.
        const node = getNamedType(target.getFields().node.type) as GraphQLObjectType;
        parts.push(
          `edges { node { __typename ${identityFields(node, this.opts.extraLeaves?.[node.name] ?? []).join(' ')} } }`,
        );
        this.fieldCount += 2;
        continue;
      }
      if (structural) {
        parts.push(`${f.name} ${this.select(target, hops, onPath)}`);
        this.fieldCount += 1;
        continue;
      }
      if (onPath.has(key)) continue;
      if (hops >= this.opts.maxHops) continue;
      onPath.add(key);
      parts.push(`${f.name} ${this.select(target, hops + 1, onPath)}`);
      onPath.delete(key);
      this.fieldCount += 1;
    }
    return `{ ${parts.join(' ')} }`;
  }
}

/** One object instance found in a response. */
export interface Reached {
  type: string;
  /** The object as returned (identity fields and children). */
  obj: Record<string, any>;
  /** e.g. `conversation(id: C1).messages[].journalEntries[].case` */
  path: string;
  /** Object-edge hops from the root field's object (connection wrappers do not count). */
  hops: number;
  /** The nearest enclosing object instance, if any. */
  parent: Reached | null;
}

/** Every object instance in `data[alias]`, with its path. */
export function reachedIn(schema: GraphQLSchema, value: unknown, rootPath: string, rootType: string): Reached[] {
  const out: Reached[] = [];
  const visit = (v: unknown, typeName: string, path: string, hops: number, parent: Reached | null) => {
    if (v == null) return;
    if (Array.isArray(v)) {
      for (const item of v) visit(item, typeName, `${path}[]`, hops, parent);
      return;
    }
    const obj = v as Record<string, any>;
    const t = schema.getType(obj.__typename ?? typeName);
    if (!isObjectType(t)) return;
    const structural = isConnection(t) || isEdge(t);
    const here: Reached | null = structural ? parent : { type: t.name, obj, path, hops, parent };
    if (here && here !== parent) out.push(here);
    for (const [key, child] of Object.entries(obj)) {
      const f = t.getFields()[key];
      if (!f || isLeafType(getNamedType(f.type))) continue;
      visit(child, getNamedType(f.type).name, `${path}.${key}`, structural ? hops : hops + 1, here);
    }
  };
  visit(value, rootType, rootPath, 0, null);
  return out;
}

/** A reached instance the caller's roots would not return. */
export interface Violation {
  role: string;
  type: string;
  key: string;
  path: string;
  /** The edge where the path first left what the role may see, e.g. `Message.journalEntries → JournalEntry`. */
  leak: string;
}

/** For one reached instance: its key and whether the root would return it to the caller; null when there is nothing to check. */
export type Verdict = (r: Reached) => { key: string; visible: boolean } | null;

/**
 * Every reached instance whose verdict is "not visible", with the edge where
 * its path first entered something not visible (the outermost such ancestor,
 * entered from a parent that is visible or from the root). `extra` adds
 * field-level findings for an instance (e.g. contact details the root hides).
 */
export function judgeReached(
  role: string,
  items: readonly Reached[],
  verdict: Verdict,
  extra: (r: Reached) => Omit<Violation, 'role'>[] = () => [],
): Violation[] {
  const cache = new Map<Reached, ReturnType<Verdict>>();
  const v = (r: Reached) => {
    if (!cache.has(r)) cache.set(r, verdict(r));
    return cache.get(r)!;
  };
  const leakOf = (r: Reached): string => {
    let first = r;
    for (let p = r.parent; p; p = p.parent) if (v(p)?.visible === false) first = p;
    const edge = first.path.slice(first.parent ? first.parent.path.length : 0).replace(/\[\]/g, '');
    return first.parent ? `${first.parent.type}${edge} → ${first.type}` : `root ${first.path} → ${first.type}`;
  };
  const out: Violation[] = [];
  for (const r of items) {
    const s = v(r);
    if (s && !s.visible) out.push({ role, type: r.type, key: s.key, path: r.path, leak: leakOf(r) });
    for (const e of extra(r)) out.push({ role, ...e });
  }
  return out;
}

/** A readable list: the leaking edges per role, then each instance with its shortest path. */
export function reportViolations(
  violations: readonly Violation[],
  describe: (key: string) => string = (k) => k,
): string {
  if (!violations.length) return 'no violations';
  const byInstance = new Map<string, Violation[]>();
  const leaks = new Map<string, Set<string>>();
  for (const v of violations) {
    const k = `${v.role}\t${v.type}\t${v.key}`;
    if (!byInstance.has(k)) byInstance.set(k, []);
    byInstance.get(k)!.push(v);
    const l = `${v.role.padEnd(21)} ${v.leak}`;
    if (!leaks.has(l)) leaks.set(l, new Set());
    leaks.get(l)!.add(`${v.type} ${v.key}`);
  }
  const lines = [
    `${byInstance.size} instances reached that the root refuses (${violations.length} paths).`,
    '',
    'Where the paths first leave what the role may see (role, edge, instances behind it):',
    ...[...leaks].sort().map(([l, set]) => `  ${l}   (${set.size})`),
    '',
    'Each instance (role, type, what, shortest path, other paths):',
  ];
  for (const [k, vs] of [...byInstance].sort()) {
    const [role, type, key] = k.split('\t');
    const paths = [...new Set(vs.map((v) => v.path))].sort((a, b) => a.length - b.length);
    lines.push(
      `  ${role.padEnd(21)} ${type.padEnd(15)} ${describe(key)}\n      via ${paths[0]}${paths.length > 1 ? `   (+${paths.length - 1} more paths)` : ''}`,
    );
  }
  return lines.join('\n');
}
