import { useEffect, useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, formatDateTime } from '../../../../shared/ui/strings';
import {
  AddSharedMailboxMemberDocument,
  AdminSharedMailboxesDocument,
  CreateSharedMailboxDocument,
  RemoveSharedMailboxMemberDocument,
  SharedMailboxMembershipChangesDocument,
  StaffMembersDocument,
  UnitsDocument,
  type AdminSharedMailboxesQuery,
  type StaffMembersQuery,
} from '../../../src/generated/graphql';
import { usePageTitle } from '../title';
import { Choice } from './Choice';
import { Done, doneNote, type DoneNote } from './Done';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';

type Mailbox = AdminSharedMailboxesQuery['sharedMailboxes'][number];
type Member = StaffMembersQuery['staffMembers'][number];

/**
 * Shared mailboxes and who may read and answer from them. The API enforces
 * separation of duties (no administrator, the signed-in one included, can be
 * a member) and records every change; its refusals are shown by their code.
 */
export function SharedMailboxesPage() {
  const m = a.mailboxes;
  usePageTitle(m.title);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: AdminSharedMailboxesDocument });
  const [{ data: staffData }] = useQuery({ query: StaffMembersDocument });
  const [creating, setCreating] = useState(false);
  const [done, setDone] = useState<{ note: DoneNote; focus: boolean }>();
  const announce = useAnnounce();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  /** With `focus` when the control used is gone (a removed member, a created mailbox); otherwise announced where the person is. */
  const say = (text: string, focus = false) => {
    setDone({ note: doneNote(text), focus });
    if (!focus) announce(text);
  };
  return (
    <>
      <div className="page-head">
        <h1>{m.title}</h1>
        {!creating && (
          <Button className="button button--primary" onPress={() => (setCreating(true), setDone(undefined))}>
            {m.create}
          </Button>
        )}
      </div>
      <p>{m.lead}</p>
      {creating && (
        <CreateMailbox
          onDone={(name) => {
            setCreating(false);
            if (name) {
              say(fmt(m.created, { name }), true);
              refresh();
            }
          }}
        />
      )}
      <Done note={done?.note} focus={done?.focus} />
      {!data && <QueryState fetching={fetching} error={error} retry={refresh} />}
      {data && data.sharedMailboxes.length === 0 && <p>{m.empty}</p>}
      {data && (
        <ul className="admin-cards">
          {data.sharedMailboxes.map((box) => (
            <MailboxCard key={box.id} mailbox={box} staff={staffData?.staffMembers ?? []} onChanged={say} />
          ))}
        </ul>
      )}
    </>
  );
}

function MailboxCard({
  mailbox,
  staff,
  onChanged,
}: {
  mailbox: Mailbox;
  staff: Member[];
  onChanged: (text: string, focus?: boolean) => void;
}) {
  const m = a.mailboxes;
  const [adding, setAdding] = useState<string | null>(null);
  const [problem, setProblem] = useState<string>();
  const [pickMissing, setPickMissing] = useState(false);
  const [history, setHistory] = useState(false);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [{ fetching: addBusy }, add] = useMutation(AddSharedMailboxMemberDocument);
  const [{ fetching: removeBusy }, remove] = useMutation(RemoveSharedMailboxMemberDocument);
  const memberIds = new Set(mailbox.members.map((x) => x.id));
  // Every active account that is not a member; administrators are listed with their role (the API refuses them and says why).
  const options = staff
    .filter((s) => s.active && !memberIds.has(s.id))
    .map((s) => ({ id: s.id, name: `${s.name} – ${a.roles[s.role] ?? s.role}, ${s.unit.name}` }));
  const headingId = `brevlada-${mailbox.id}`;

  const onAdd = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    if (!adding) return setPickMissing(true);
    const who = staff.find((s) => s.id === adding)?.name ?? '';
    const result = await add({ mailboxId: mailbox.id, staffId: adding });
    if (result.error) return setProblem(adminErrorText(result.error, 'member'));
    setAdding(null);
    setHistoryVersion((v) => v + 1);
    onChanged(fmt(m.added, { member: who, mailbox: mailbox.name }));
  };
  const onRemove = async (memberId: string, name: string) => {
    setProblem(undefined);
    const result = await remove({ mailboxId: mailbox.id, staffId: memberId });
    if (result.error) return setProblem(adminErrorText(result.error, 'member'));
    setHistoryVersion((v) => v + 1);
    onChanged(fmt(m.removed, { member: name, mailbox: mailbox.name }), true);
  };

  return (
    <li className="card" data-testid="shared-mailbox" aria-labelledby={headingId}>
      <h2 id={headingId}>{mailbox.name}</h2>
      <p className="muted">{mailbox.unit.name}</p>
      <h3>{m.members}</h3>
      {mailbox.members.length === 0 ? (
        <p>{m.noMembers}</p>
      ) : (
        <ul className="admin-members" aria-label={`${m.members}: ${mailbox.name}`}>
          {mailbox.members.map((x) => (
            <li key={x.id} data-testid="mailbox-member">
              <span>
                {x.name} <span className="muted">({a.roles[x.role] ?? x.role})</span>
              </span>
              <Button
                className="button button--compact"
                isDisabled={removeBusy}
                aria-label={fmt(m.removeNamed, { member: x.name, mailbox: mailbox.name })}
                onPress={() => void onRemove(x.id, x.name)}
              >
                {m.remove}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Form
        className="admin-add"
        onSubmit={onAdd}
        validationBehavior="aria"
        aria-label={fmt(m.addMemberTo, { mailbox: mailbox.name })}
      >
        <Choice
          label={fmt(m.addMemberTo, { mailbox: mailbox.name })}
          value={adding}
          onChange={(v) => (setAdding(v), setPickMissing(false), setProblem(undefined))}
          options={options}
          placeholder={m.choose}
          isInvalid={pickMissing}
          errorText={m.chooseFirst}
        />
        <Button type="submit" className="button button--primary" isDisabled={addBusy}>
          {m.add}
        </Button>
      </Form>
      {problem && (
        <div className="alert alert--error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <Button
        className="button button--link admin-history-toggle"
        aria-expanded={history}
        onPress={() => setHistory((h) => !h)}
      >
        {m.history}
      </Button>
      {history && <MembershipHistory mailboxId={mailbox.id} version={historyVersion} />}
    </li>
  );
}

function MembershipHistory({ mailboxId, version }: { mailboxId: string; version: number }) {
  const m = a.mailboxes;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: SharedMailboxMembershipChangesDocument,
    variables: { mailboxId },
    requestPolicy: 'network-only',
  });
  // Refetched after each change made here.
  useEffect(() => {
    if (version) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  if (!data)
    return <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  const changes = data.sharedMailboxMembershipChanges;
  if (changes.length === 0) return <p>{m.noHistory}</p>;
  return (
    <ul className="admin-history" data-testid="membership-history">
      {changes.map((c) => (
        <li key={c.id}>
          {fmt(m.historyLine, {
            member: c.member.name,
            change: m.changes[c.change] ?? c.change,
            by: c.changedBy.name,
            time: formatDateTime(c.createdAt),
          })}
        </li>
      ))}
    </ul>
  );
}

function CreateMailbox({ onDone }: { onDone: (name?: string) => void }) {
  const m = a.mailboxes;
  const [{ data: units }] = useQuery({ query: UnitsDocument });
  const [name, setName] = useState('');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [missing, setMissing] = useState<{ name?: boolean; unit?: boolean }>({});
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, create] = useMutation(CreateSharedMailboxDocument);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const miss = { name: !name.trim(), unit: !unitId };
    setMissing(miss);
    if (miss.name || miss.unit) return;
    const result = await create({ name: name.trim(), unitId: unitId! });
    if (result.error) return setProblem(adminErrorText(result.error));
    onDone(result.data!.createSharedMailbox.name);
  };
  return (
    <section className="card" aria-labelledby="ny-brevlada">
      <h2 id="ny-brevlada">{m.create}</h2>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <TextField
          className="field"
          value={name}
          onChange={(v) => (setName(v), setMissing((x) => ({ ...x, name: false })), setProblem(undefined))}
          isRequired
          isInvalid={!!missing.name}
          autoFocus
        >
          <Label>{m.name}</Label>
          <Input autoComplete="off" />
          <FieldError className="field-error">{m.nameRequired}</FieldError>
        </TextField>
        <Choice
          label={m.unit}
          value={unitId}
          onChange={(v) => (setUnitId(v), setMissing((x) => ({ ...x, unit: false })))}
          options={(units?.units ?? []).map((u) => ({ id: u.id, name: u.name }))}
          placeholder={a.staff.chooseUnit}
          isInvalid={!!missing.unit}
          errorText={a.staff.chooseUnit}
        />
        {problem && (
          <div className="alert alert--error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {m.save}
          </Button>
          <Button className="button" onPress={() => onDone()}>
            {m.cancel}
          </Button>
        </div>
      </Form>
    </section>
  );
}
