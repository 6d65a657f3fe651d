/** A value bound natively as `$n` (an array as a real PostgreSQL array, never a hand-built literal). */
class Param {
  constructor(
    readonly value: unknown,
    /** PostgreSQL type the placeholder is cast to, e.g. `uuid[]`. */
    readonly cast?: string,
  ) {}
}

/** Trusted SQL text (an alias, a keyword), spliced as is. Never pass user input. */
class Raw {
  constructor(readonly text: string) {}
}

/**
 * A composable SQL fragment: text with placeholders and the values bound to
 * them. Built with the {@link sql} tag; fragments nest, and their values stay
 * in order, so a rule written once can be embedded anywhere.
 */
export class Sql {
  constructor(
    readonly parts: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** Text with `$1…$n` placeholders and the values for them (as node-postgres takes them). */
  toPostgres(): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    let text = '';
    const walk = (f: Sql) => {
      f.parts.forEach((part, i) => {
        text += part;
        if (i >= f.values.length) return;
        const v = f.values[i];
        if (v instanceof Sql) walk(v);
        else if (v instanceof Raw) text += v.text;
        else if (v instanceof Param) {
          values.push(v.value);
          text += v.cast ? `$${values.length}::${v.cast}` : `$${values.length}`;
        } else {
          values.push(v);
          text += `$${values.length}`;
        }
      });
    };
    walk(this);
    return { text, values };
  }
}

/**
 * The tag: `` sql`c.caseworker_id = ${staffId}` `` binds `staffId` as a
 * parameter; a nested `Sql` is spliced with its own values.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql([...strings], values);
}

/** Trusted SQL text such as a table alias. */
export const raw = (text: string) => {
  if (!/^[a-z_][a-z0-9_.]*$/i.test(text)) throw new Error(`not a plain SQL identifier: ${text}`);
  return new Raw(text);
};

/** A uuid[] bound natively. */
export const uuidArray = (ids: readonly string[]) => new Param([...ids], 'uuid[]');
/** A text[] bound natively (no quoting or escaping by hand). */
export const textArray = (items: readonly string[]) => new Param([...items], 'text[]');
/** A date (YYYY-MM-DD) bound natively. */
export const date = (day: string) => new Param(day, 'date');
/** An array of another PostgreSQL type bound natively, e.g. `typedArray(dates, 'timestamptz[]')` (nulls allowed). */
export const typedArray = (items: readonly unknown[], cast: `${string}[]`) => new Param([...items], cast);
/** A uuid bound natively (null allowed). */
export const uuid = (id: string | null) => new Param(id, 'uuid');

/** Fragments joined with a separator, e.g. `or` / `union all`. */
export function join(fragments: readonly Sql[], separator: string): Sql {
  if (fragments.length === 0) throw new Error('join needs at least one fragment');
  const parts = [''];
  const values: Sql[] = [];
  fragments.forEach((f, i) => {
    values.push(f);
    parts.push(i === fragments.length - 1 ? '' : ` ${separator} `);
  });
  return new Sql(parts, values);
}
