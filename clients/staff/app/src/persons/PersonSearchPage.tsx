import './person-case.css';
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { plural } from '../../../../shared/ui/strings';
import { PersonViewSearchDocument, type PersonViewSearchQuery } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { addressLine, pnr } from './format';
import { Problem } from './widgets';

type Hit = PersonViewSearchQuery['persons']['nodes'][number];
const PAGE = 20;

/**
 * Personer: search by name or personnummer (any common format: the API reads
 * it). Searches when asked (every person listed is access-logged), keeps the
 * term in the address so Back returns to the same list, pages by cursor.
 */
export function PersonSearchPage() {
  const [params, setParams] = useSearchParams();
  const term = params.get('sok') ?? '';
  const [input, setInput] = useState(term);
  const [{ data: answer, operation, fetching, error }, reexecute] = useQuery({
    query: PersonViewSearchDocument,
    variables: { search: term, first: PAGE },
    pause: !term,
    requestPolicy: 'network-only',
  });
  // urql keeps the previous search's answer until the new one comes: it is not shown as the hits of this one.
  const data = answer && operation?.variables.search === term ? answer : undefined;
  const [more, setMore] = useState<{ nodes: Hit[]; cursor: string | null; hasNext: boolean } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();
  const client = useClient();
  const announce = useAnnounce();
  const errorText = useErrorText();
  usePageTitle(term ? `${sv.persons.title}: ${term}` : sv.persons.title);

  useEffect(() => {
    setInput(term);
    setMore(null);
  }, [term]);

  const first = data?.persons;
  const nodes = [...(first?.nodes ?? []), ...(more?.nodes ?? [])];
  const hasNext = more ? more.hasNext : !!first?.pageInfo.hasNextPage;
  const cursor = more ? more.cursor : (first?.pageInfo.endCursor ?? null);

  useEffect(() => {
    if (first && !more)
      announce(
        first.nodes.length ? plural(first.nodes.length, sv.persons.hitsOne, sv.persons.hits) : sv.persons.noHits,
      );
  }, [first, more, announce]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = input.trim();
    if (next === term) reexecute({ requestPolicy: 'network-only' });
    else setParams(next ? { sok: next } : {});
  };

  const loadMore = async () => {
    setLoadingMore(true);
    setMoreError(undefined);
    const result = await client
      .query(PersonViewSearchDocument, { search: term, first: PAGE, after: cursor }, { requestPolicy: 'network-only' })
      .toPromise();
    setLoadingMore(false);
    if (result.error || !result.data) {
      setMoreError(errorText(result.error));
      return;
    }
    const page = result.data.persons;
    setMore((m) => ({
      nodes: [...(m?.nodes ?? []), ...page.nodes],
      cursor: page.pageInfo.endCursor ?? null,
      hasNext: page.pageInfo.hasNextPage,
    }));
    announce(plural(nodes.length + page.nodes.length, sv.persons.hitsOne, sv.persons.hits));
  };

  return (
    <>
      <h1>{sv.persons.title}</h1>
      <Form className="search-form" onSubmit={submit} role="search" aria-label={sv.persons.searchLabel}>
        <TextField className="field search-form__field" value={input} onChange={setInput} type="search">
          <Label>{sv.persons.searchLabel}</Label>
          <Text slot="description" className="field-description">
            {sv.persons.searchHint}
          </Text>
          <Input autoComplete="off" />
        </TextField>
        <Button type="submit" className="button button--primary search-form__button">
          {sv.persons.search}
        </Button>
      </Form>
      {term && !data && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {first && nodes.length === 0 && <p className="card">{sv.persons.noHits}</p>}
      {nodes.length > 0 && (
        <section aria-labelledby="sokresultat">
          <h2 id="sokresultat" className="visually-hidden">
            {sv.persons.results}
          </h2>
          <p className="muted">{plural(nodes.length, sv.persons.hitsOne, sv.persons.hits)}</p>
          <ul className="person-list" data-testid="person-hits">
            {nodes.map((p) => (
              <li key={p.id}>
                <Link className="person-link" to={`/personer/${p.id}`}>
                  <span className="person-link__name">{p.name}</span>
                  <span className="person-link__pnr">{pnr(p.personnummer)}</span>
                </Link>
                <p className="person-link__meta">
                  {p.protectedIdentity && (
                    <span className="flag flag--protected">{sv.persons.flagNames.protectedIdentity}</span>
                  )}
                  {p.contactDetailsHidden ? (
                    <span className="muted">{sv.persons.hidden}</span>
                  ) : (
                    <span>{addressLine(p.address) ?? sv.persons.missing}</span>
                  )}
                  {p.eService.messagingEnabled && <span className="flag flag--eservice">{sv.persons.activeShort}</span>}
                </p>
              </li>
            ))}
          </ul>
          {hasNext && (
            <div className="button-row">
              <Button className="button" onPress={() => void loadMore()} isDisabled={loadingMore}>
                {loadingMore ? sv.loading : sv.persons.more}
              </Button>
            </div>
          )}
          <Problem text={moreError} />
        </section>
      )}
    </>
  );
}
