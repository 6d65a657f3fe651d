import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { errorField } from '../../../../shared/ui/api';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { CreateStaffDocument, StaffMeDocument, StaffMembersDocument, UnitsDocument, UpdateStaffDocument, type StaffMembersQuery, type StaffRole } from '../../../src/generated/graphql';
import { usePageTitle } from '../title';
import { Choice } from './Choice';
import { Done, doneNote, type DoneNote } from './Done';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';

type Member = StaffMembersQuery['staffMembers'][number];
const ROLES: StaffRole[] = ['CASEWORKER', 'EXECUTOR', 'ADMIN'];
const roleOptions = ROLES.map((r) => ({ id: r, name: a.roles[r] }));

/** Staff accounts: the list, a new account, a changed role, disabled and enabled again (as the API allows). */
export function StaffAccountsPage() {
  const s = a.staff;
  usePageTitle(s.title);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: StaffMembersDocument });
  const [{ data: me }] = useQuery({ query: StaffMeDocument });
  const [creating, setCreating] = useState(false);
  const [done, setDone] = useState<DoneNote>();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  // The form or the row's controls the person used are gone: focus goes to the confirmation.
  const say = (text: string) => setDone(doneNote(text));
  return (
    <>
      <div className="page-head">
        <h1>{s.title}</h1>
        {!creating && (
          <Button className="button button--primary" onPress={() => (setCreating(true), setDone(undefined))}>
            {s.create}
          </Button>
        )}
      </div>
      <p>{s.lead}</p>
      {creating && (
        <CreateForm
          onDone={(name) => {
            setCreating(false);
            if (name) {
              say(fmt(s.created, { name }));
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
                <span className="visually-hidden">{s.changeRole}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.staffMembers.map((m) => (
              <StaffRow key={m.id} member={m} self={m.id === me?.staffMe.id} onChanged={say} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function StaffRow({ member: m, self, onChanged }: { member: Member; self: boolean; onChanged: (text: string) => void }) {
  const s = a.staff;
  const [mode, setMode] = useState<'view' | 'role' | 'disable'>('view');
  const [role, setRole] = useState<string>(m.role);
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, update] = useMutation(UpdateStaffDocument);
  const change = async (input: { role?: StaffRole; active?: boolean }, text: string) => {
    setProblem(undefined);
    const result = await update({ id: m.id, input });
    if (result.error) return setProblem(adminErrorText(result.error));
    setMode('view');
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
        {mode === 'view' && (
          <div className="admin-actions">
            <Button className="button button--compact" aria-label={fmt(s.changeRoleNamed, { name: m.name })} onPress={() => (setMode('role'), setRole(m.role))}>
              {s.changeRole}
            </Button>
            {m.active ? (
              <Button className="button button--compact" aria-label={fmt(s.disableNamed, { name: m.name })} onPress={() => setMode('disable')}>
                {s.disable}
              </Button>
            ) : (
              <Button
                className="button button--compact"
                aria-label={fmt(s.enableNamed, { name: m.name })}
                isDisabled={fetching}
                onPress={() => void change({ active: true }, fmt(s.enabledDone, { name: m.name }))}
              >
                {s.enable}
              </Button>
            )}
          </div>
        )}
        {mode === 'role' && (
          <div className="admin-inline">
            <Choice label={fmt(s.changeRoleNamed, { name: m.name })} value={role} onChange={setRole} options={roleOptions} />
            <div className="admin-actions">
              <Button
                className="button button--primary button--compact"
                isDisabled={fetching}
                onPress={() => void change({ role: role as StaffRole }, fmt(s.roleSaved, { name: m.name, role: (a.roles[role] ?? role).toLowerCase() }))}
              >
                {s.saveRole}
              </Button>
              <Button className="button button--compact" onPress={() => (setMode('view'), setProblem(undefined))}>
                {s.cancel}
              </Button>
            </div>
          </div>
        )}
        {mode === 'disable' && (
          <div className="admin-inline" role="group" aria-label={fmt(s.disableNamed, { name: m.name })}>
            <p>{fmt(s.confirmDisable, { name: m.name })}</p>
            <div className="admin-actions">
              <Button
                className="button button--primary button--compact"
                isDisabled={fetching}
                autoFocus
                onPress={() => void change({ active: false }, fmt(s.disabledDone, { name: m.name }))}
              >
                {fmt(s.disableNamed, { name: m.name })}
              </Button>
              <Button className="button button--compact" onPress={() => (setMode('view'), setProblem(undefined))}>
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

function CreateForm({ onDone }: { onDone: (name?: string) => void }) {
  const s = a.staff;
  const [{ data: units }] = useQuery({ query: UnitsDocument });
  const [values, setValues] = useState({ username: '', givenName: '', familyName: '', title: '' });
  const [role, setRole] = useState<string>('CASEWORKER');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [refused, setRefused] = useState<{ field?: string; text: string }>();
  const [{ fetching }, create] = useMutation(CreateStaffDocument);
  const set = (field: keyof typeof values) => (v: string) => {
    setValues((x) => ({ ...x, [field]: v }));
    setMissing((m) => (m.delete(field), new Set(m)));
    if (refused?.field === field) setRefused(undefined);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const empty = new Set<string>((['username', 'givenName', 'familyName'] as const).filter((f) => !values[f].trim()));
    if (!unitId) empty.add('unitId');
    setMissing(empty);
    if (empty.size) return;
    const result = await create({
      input: { username: values.username.trim(), givenName: values.givenName.trim(), familyName: values.familyName.trim(), title: values.title.trim() || null, role: role as StaffRole, unitId: unitId! },
    });
    if (result.error) return setRefused({ field: errorField(result.error), text: adminErrorText(result.error) });
    onDone(result.data!.createStaff.name);
  };
  const text = (field: keyof typeof values, label: string, opts: { hint?: string; required?: boolean; autoFocus?: boolean } = {}) => (
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
      <FieldError className="field-error">{refused?.field === field ? refused.text : fmt(s.required, { field: label.toLowerCase() })}</FieldError>
    </TextField>
  );
  return (
    <section className="card" aria-labelledby="nytt-konto">
      <h2 id="nytt-konto">{s.create}</h2>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        {text('username', s.username, { hint: s.usernameHint, required: true, autoFocus: true })}
        {text('givenName', s.givenName, { required: true })}
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
