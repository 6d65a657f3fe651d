import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import {
  ContactListsDocument,
  DeleteContactListDocument,
  SaveContactListDocument,
  type ContactListsQuery,
} from '../../../src/generated/graphql';
import { RecipientPicker, useStaffOptions, type Recipient } from '../compose/RecipientPicker';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

type List = ContactListsQuery['contactLists'][number];

/** Kontaktlistor: colleagues and shared mailboxes one often writes to; create, change, delete; chosen as recipients in Skriv nytt. */
export function ContactListsPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ContactListsDocument });
  const [editing, setEditing] = useState<List | 'new' | null>(null);
  const [, remove] = useMutation(DeleteContactListDocument);
  const announce = useAnnounce();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  usePageTitle(sv.contactLists.title);
  return (
    <>
      <div className="page-head">
        <h1>{sv.contactLists.title}</h1>
        {editing === null && (
          <Button className="button button--primary" onPress={() => setEditing('new')}>
            {sv.contactLists.create}
          </Button>
        )}
      </div>
      <p>{sv.contactLists.lead}</p>
      {editing !== null && (
        <ListForm
          key={editing === 'new' ? 'new' : editing.id}
          list={editing === 'new' ? undefined : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              announce(sv.contactLists.saved);
              refresh();
            }
          }}
        />
      )}
      {!data && <QueryState fetching={fetching} error={error} retry={refresh} />}
      {data && data.contactLists.length === 0 && <p>{sv.contactLists.none}</p>}
      {data && data.contactLists.length > 0 && (
        <ul className="contact-list">
          {data.contactLists.map((l) => (
            <li key={l.id} className="card" data-testid="contact-list">
              <h2>{l.name}</h2>
              <p className="muted">{l.members.map((m) => m.name).join(', ')}</p>
              <div className="button-row">
                <Button
                  className="button"
                  aria-label={fmt(sv.contactLists.editNamed, { name: l.name })}
                  onPress={() => setEditing(l)}
                >
                  {sv.contactLists.edit}
                </Button>
                <Button
                  className="button"
                  aria-label={fmt(sv.contactLists.removeNamed, { name: l.name })}
                  onPress={async () => {
                    await remove({ id: l.id });
                    announce(sv.contactLists.removed);
                    refresh();
                  }}
                >
                  {sv.contactLists.remove}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ListForm({ list, onDone }: { list?: List; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(list?.name ?? '');
  const [members, setMembers] = useState<Recipient[]>(list?.members ?? []);
  const [search, setSearch] = useState('');
  const [nameMissing, setNameMissing] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, save] = useMutation(SaveContactListDocument);
  const options = useStaffOptions(search, false);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    if (!name.trim()) return setNameMissing(true);
    const result = await save({
      input: {
        id: list?.id,
        name: name.trim(),
        staffIds: members.filter((m) => m.kind === 'STAFF').map((m) => m.id),
        sharedMailboxIds: members.filter((m) => m.kind === 'SHARED_MAILBOX').map((m) => m.id),
      },
    });
    if (result.error) return setProblem(errorText(result.error));
    onDone(true);
  };
  return (
    <section className="card" aria-labelledby="lista-rubrik">
      <h2 id="lista-rubrik">{list ? fmt(sv.contactLists.editNamed, { name: list.name }) : sv.contactLists.create}</h2>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <TextField
          className="field"
          value={name}
          onChange={(v) => (setName(v), setNameMissing(false))}
          isRequired
          isInvalid={nameMissing}
          autoFocus
        >
          <Label>{sv.contactLists.name}</Label>
          <Input />
          <FieldError className="field-error">{sv.contactLists.nameRequired}</FieldError>
        </TextField>
        <RecipientPicker
          label={sv.contactLists.members}
          hint={sv.compose.toStaffHint}
          value={members}
          onChange={setMembers}
          found={options}
          search={search}
          onSearch={setSearch}
        />
        {problem && (
          <div className="alert alert--error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {sv.contactLists.save}
          </Button>
          <Button className="button" onPress={() => onDone(false)}>
            {sv.contactLists.cancel}
          </Button>
        </div>
      </Form>
    </section>
  );
}
