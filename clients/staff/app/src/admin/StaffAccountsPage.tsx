import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { errorField } from '../../../../shared/ui/api';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import {
  CreateStaffDocument,
  StaffMeDocument,
  StaffMembersDocument,
  UnitsDocument,
  UpdateStaffDocument,
  type StaffMembersQuery,
  type StaffRole,
} from '../../../src/generated/graphql';
import { usePageTitle } from '../title';
import { Choice } from './Choice';
import { Done, doneNote, type DoneNote } from './Done';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';
import { UnitsSection } from './UnitsSection';

type Member = StaffMembersQuery['staffMembers'][number];
const ROLES: StaffRole[] = ['CASEWORKER', 'EXECUTOR', 'ADMIN'];
const roleOptions = ROLES.map((r) => ({ id: r, name: a.roles[r] }));

/** Staff accounts: the list, a new account, a changed role, disabled and enabled again (as the API allows). */
export function StaffAccountsPage() {
  const s = a.staff;
  usePageTitle(s.title);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: StaffMembersDocument });
  const [{ data: me }] = useQuery({ query: StaffMeDocument });
  const [editing, setEditing] = useState<Member | 'new' | null>(null);
  const [done, setDone] = useState<DoneNote>();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  // The form or the row's controls the person used are gone: focus goes to the confirmation.
  const say = (text: string) => setDone(doneNote(text));
  return (
    <>
      <div className="page-head">
        <h1>{s.title}</h1>
        {editing === null && (
          <Button className="button button--primary" onPress={() => (setEditing('new'), setDone(undefined))}>
            {s.create}
          </Button>
        )}
      </div>
      <p>{s.lead}</p>
      {editing !== null && (
        <StaffForm
          key={editing === 'new' ? 'new' : editing.id}
          member={editing === 'new' ? undefined : editing}
          onDone={(text) => {
            setEditing(null);
            if (text) {
              say(text);
              refresh();
            }
          }}
        />
      )}
      <Done note={done} focus />
      {!data && <QueryState fetching={fetching} error={error} retry={refresh} />}
      {data && (
        <table className="admin-table" data-testid="staff-accounts">
          <caption className="visually-hidden">{s.list}</caption>
          <thead>
            <tr>
              <th scope="col">{s.name}</th>
              <th scope="col">{s.username}</th>
              <th scope="col">{s.role}</th>
              <th scope="col">{s.unit}</th>
              <th scope="col">{s.status}</th>
              <th scope="col">
                <span className="visually-hidden">{s.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.staffMembers.map((m) => (
              <StaffRow
                key={m.id}
                member={m}
                self={m.id === me?.staffMe.id}
                onChanged={say}
                onEdit={() => (setEditing(m), setDone(undefined))}
              />
            ))}
          </tbody>
        </table>
      )}
      <UnitsSection />
    </>
  );
}

function StaffRow({
  member: m,
  self,
  onChanged,
  onEdit,
}: {
  member: Member;
  self: boolean;
  onChanged: (text: string) => void;
  onEdit: () => void;
}) {
  const s = a.staff;
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, update] = useMutation(UpdateStaffDocument);
  const change = async (active: boolean, text: string) => {
    setProblem(undefined);
    const result = await update({ id: m.id, input: { active } });
    if (result.error) return setProblem(adminErrorText(result.error));
    setConfirming(false);
    onChanged(text);
  };
  return (
    <tr data-testid="staff-account" className={m.active ? undefined : 'admin-table__row--off'}>
      <th scope="row" data-label={s.name}>
        {m.name} {self && <span className="muted">{s.you}</span>}
        {m.title && <span className="admin-table__sub">{m.title}</span>}
      </th>
      <td data-label={s.username}>{m.username}</td>
      <td data-label={s.role}>{a.roles[m.role] ?? m.role}</td>
      <td data-label={s.unit}>{m.unit.name}</td>
      <td data-label={s.status}>{m.active ? s.active : <strong>{s.disabled}</strong>}</td>
      <td className="admin-table__actions">
        {!confirming && (
          <div className="admin-actions">
            <Button className="button button--compact" aria-label={fmt(s.editNamed, { name: m.name })} onPress={onEdit}>
              {s.edit}
            </Button>
            {m.active ? (
              <Button
                className="button button--compact"
                aria-label={fmt(s.disableNamed, { name: m.name })}
                onPress={() => setConfirming(true)}
              >
                {s.disable}
              </Button>
            ) : (
              <Button
                className="button button--compact"
                aria-label={fmt(s.enableNamed, { name: m.name })}
                isDisabled={fetching}
                onPress={() => void change(true, fmt(s.enabledDone, { name: m.name }))}
              >
                {s.enable}
              </Button>
            )}
          </div>
        )}
        {confirming && (
          <div className="admin-inline" role="group" aria-label={fmt(s.disableNamed, { name: m.name })}>
            <p>{fmt(s.confirmDisable, { name: m.name })}</p>
            <div className="admin-actions">
              <Button
                className="button button--primary button--compact"
                isDisabled={fetching}
                autoFocus
                onPress={() => void change(false, fmt(s.disabledDone, { name: m.name }))}
              >
                {fmt(s.disableNamed, { name: m.name })}
              </Button>
              <Button className="button button--compact" onPress={() => (setConfirming(false), setProblem(undefined))}>
                {s.cancel}
              </Button>
            </div>
          </div>
        )}
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
      </td>
    </tr>
  );
}

/** A new account, or a changed one (the username is the identity provider's and stays). */
function StaffForm({ member, onDone }: { member?: Member; onDone: (text?: string) => void }) {
  const s = a.staff;
  const [{ data: units }] = useQuery({ query: UnitsDocument });
  const [values, setValues] = useState({
    username: member?.username ?? '',
    givenName: member?.givenName ?? '',
    familyName: member?.familyName ?? '',
    title: member?.title ?? '',
  });
  const [role, setRole] = useState<string>(member?.role ?? 'CASEWORKER');
  const [unitId, setUnitId] = useState<string | null>(member?.unit.id ?? null);
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [refused, setRefused] = useState<{ field?: string; text: string }>();
  const [{ fetching: creating }, create] = useMutation(CreateStaffDocument);
  const [{ fetching: updating }, update] = useMutation(UpdateStaffDocument);
  const fetching = creating || updating;
  const set = (field: keyof typeof values) => (v: string) => {
    setValues((x) => ({ ...x, [field]: v }));
    setMissing((m) => (m.delete(field), new Set(m)));
    if (refused?.field === field) setRefused(undefined);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const empty = new Set<string>((['username', 'givenName', 'familyName'] as const).filter((f) => !values[f].trim()));
    if (member) empty.delete('username');
    if (!unitId) empty.add('unitId');
    setMissing(empty);
    if (empty.size) return;
    const fields = {
      givenName: values.givenName.trim(),
      familyName: values.familyName.trim(),
      title: values.title.trim() || null,
      role: role as StaffRole,
      unitId: unitId!,
    };
    if (member) {
      const result = await update({ id: member.id, input: fields });
      if (result.error) return setRefused({ field: errorField(result.error), text: adminErrorText(result.error) });
      onDone(fmt(s.saved, { name: result.data!.updateStaff.name }));
    } else {
      const result = await create({ input: { username: values.username.trim(), ...fields } });
      if (result.error) return setRefused({ field: errorField(result.error), text: adminErrorText(result.error) });
      onDone(fmt(s.created, { name: result.data!.createStaff.name }));
    }
  };
  const text = (
    field: keyof typeof values,
    label: string,
    opts: { hint?: string; required?: boolean; autoFocus?: boolean } = {},
  ) => (
    <TextField
      className="field"
      value={values[field]}
      onChange={set(field)}
      isRequired={opts.required}
      isInvalid={missing.has(field) || refused?.field === field}
      autoFocus={opts.autoFocus}
    >
      <Label>{label}</Label>
      {opts.hint && (
        <Text slot="description" className="field-description">
          {opts.hint}
        </Text>
      )}
      <Input autoComplete="off" />
      <FieldError className="field-error">
        {refused?.field === field ? refused.text : fmt(s.required, { field: label.toLowerCase() })}
      </FieldError>
    </TextField>
  );
  return (
    <section className="card" aria-labelledby="konto-rubrik">
      <h2 id="konto-rubrik">{member ? fmt(s.editNamed, { name: member.name }) : s.create}</h2>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        {member ? (
          <p>
            <strong>{s.username}:</strong> {member.username}
          </p>
        ) : (
          text('username', s.username, { hint: s.usernameHint, required: true, autoFocus: true })
        )}
        {text('givenName', s.givenName, { required: true, autoFocus: !!member })}
        {text('familyName', s.familyName, { required: true })}
        {text('title', s.titleField, { hint: s.titleHint })}
        <Choice label={s.role} value={role} onChange={setRole} options={roleOptions} />
        <Choice
          label={s.unit}
          value={unitId}
          onChange={(v) => (setUnitId(v), setMissing((m) => (m.delete('unitId'), new Set(m))))}
          options={(units?.units ?? []).map((u) => ({ id: u.id, name: u.name }))}
          placeholder={s.chooseUnit}
          isInvalid={missing.has('unitId') || refused?.field === 'unitId'}
          errorText={refused?.field === 'unitId' ? refused.text : s.chooseUnit}
        />
        {refused && !['username', 'givenName', 'familyName', 'title', 'unitId'].includes(refused.field ?? '') && (
          <div className="alert alert--error" role="alert">
            <p>{refused.text}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {s.save}
          </Button>
          <Button className="button" onPress={() => onDone()}>
            {s.cancel}
          </Button>
        </div>
      </Form>
    </section>
  );
}
