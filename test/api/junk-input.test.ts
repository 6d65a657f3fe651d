import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { getSchema } from '../../src/schema';
import { postRaw } from '../testkit/api';
import { demoWorld, type DemoWorld } from '../testkit/world';
import { DEMO } from '../../src/db/demo-data';

/**
 * Rule 5 of the brief, over the whole contract: bad input gets a clear error
 * with a code. Every query and mutation is called by every kind of caller
 * with ids that are not ids, ids that do not exist, and junk in every
 * required field; nothing may answer INTERNAL_SERVER_ERROR.
 */
let w: DemoWorld;
beforeAll(async () => {
  w = await demoWorld();
});
afterAll(() => w.close());

type Junk = 'not-an-id' | 'unknown-id' | 'nul';

function junkValue(type: GraphQLInputType, junk: Junk): unknown {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return [junkValue(t.ofType, junk)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) if (isNonNullType(f.type)) out[f.name] = junkValue(f.type, junk);
    return out;
  }
  if (isScalarType(t)) {
    switch (t.name) {
      case 'ID':
        return junk === 'unknown-id' ? '00000000-0000-4000-8000-000000000000' : "'; drop table person; --";
      case 'Int':
        return 1;
      case 'Boolean':
        return true;
      case 'LocalDate':
        return '2024-02-30'.replace('30', '28');
      case 'DateTimeISO':
        return '2024-01-01T00:00:00Z';
      default:
        return junk === 'nul' ? 'a\u0000b' : junk === 'not-an-id' ? '<script>alert(1)</script> \u202e' : 'x';
    }
  }
  return null;
}

/** The smallest selection that is valid for a return type. */
function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const fields = (named as GraphQLObjectType).getFields();
  if (fields.id) return '{ id }';
  if (fields.__typename) return '{ __typename }';
  return '{ __typename }';
}

function operation(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, junk: Junk) {
  const args = field.args as readonly GraphQLArgument[];
  const required = args.filter((a) => isNonNullType(a.type));
  const idArgs = args.filter((a) => !isNonNullType(a.type) && getNamedType(a.type).name === 'ID');
  const used = [...required, ...idArgs];
  const vars = used.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = used.map((a) => `${a.name}: $${a.name}`).join(', ');
  const query = `${kind} Junk${vars ? `(${vars})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selection(field.type)} }`;
  const variables = Object.fromEntries(used.map((a) => [a.name, junkValue(a.type, junk)]));
  return { query, variables };
}

test('JK1 no operation answers INTERNAL_SERVER_ERROR to junk, for any caller', async () => {
  const schema = await getSchema();
  const roots = [
    ['query', schema.getQueryType()!],
    ['mutation', schema.getMutationType()!],
  ] as const;
  const tokens = {
    caseworker: await w.t.token.staff(DEMO.caseworker),
    executor: await w.t.token.staff(DEMO.executor),
    admin: await w.t.token.staff(DEMO.admin),
    citizen: await w.t.token.citizen(DEMO.tolvan),
  };
  const internal: string[] = [];
  let calls = 0;
  for (const [kind, root] of roots) {
    for (const field of Object.values(root.getFields())) {
      for (const junk of ['not-an-id', 'unknown-id', 'nul'] as const) {
        const { query, variables } = operation(kind, field, junk);
        for (const [who, token] of Object.entries(tokens)) {
          const r = await postRaw(w.t.url, { query, variables }, { token });
          calls++;
          const codes: string[] = (r.body?.errors ?? []).map(
            (e: { extensions?: { code?: string } }) => e.extensions?.code,
          );
          if (r.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) {
            internal.push(
              `${field.name} as ${who} with ${junk}: ${r.status} ${JSON.stringify(r.body?.errors?.[0]?.extensions?.detail ?? r.body?.errors?.[0]?.message)}`,
            );
          }
        }
      }
    }
  }
  expect(calls).toBeGreaterThan(500);
  expect(internal).toEqual([]);
}, 180_000);

test('JK2 text with a NUL character is refused at the edge with BAD_USER_INPUT naming where, and nothing is written', async () => {
  const admin = await w.t.token.staff(DEMO.admin);
  const r = await postRaw(
    w.t.url,
    {
      query: 'mutation($n: String!) { createUnit(name: $n, municipality: "Söderköpings kommun") { id } }',
      variables: { n: 'Enhet\u0000X' },
    },
    { token: admin },
  );
  expect(r.status).toBe(400);
  expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'n' });
  const inline = await postRaw(
    w.t.url,
    { query: 'mutation { createUnit(name: "Enhet\\u0000Y", municipality: "Söderköpings kommun") { id } }' },
    { token: admin },
  );
  expect(inline.status).toBe(400);
  expect(inline.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  const units = await w.t.em().getConnection().execute("select count(*)::int as n from unit where name like 'Enhet%'");
  expect(units[0].n).toBe(0);
});
