import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { CreateUnitDocument, UnitsDocument } from '../../../src/generated/graphql';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';

/** The units staff and shared mailboxes belong to, and a new one (createUnit). */
export function UnitsSection() {
  const u = a.units;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UnitsDocument });
  const [creating, setCreating] = useState(false);
  const announce = useAnnounce();
  return (
    <section className="admin-section" aria-labelledby="enheter">
      <div className="page-head">
        <h2 id="enheter">{u.title}</h2>
        {!creating && (
          <Button className="button" onPress={() => setCreating(true)}>
            {u.create}
          </Button>
        )}
      </div>
      <p>{u.lead}</p>
      {creating && (
        <UnitForm
          onDone={(name) => {
            setCreating(false);
            if (name) {
              announce(fmt(u.created, { name }));
              reexecute({ requestPolicy: 'network-only' });
            }
          }}
        />
      )}
      {!data && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {data && (
        <ul className="admin-units" aria-label={u.list} data-testid="units">
          {data.units.map((unit) => (
            <li key={unit.id}>
              {unit.name} <span className="muted">({unit.municipality})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function UnitForm({ onDone }: { onDone: (name?: string) => void }) {
  const u = a.units;
  const [name, setName] = useState('');
  const [municipality, setMunicipality] = useState('Söderköpings kommun');
  const [missing, setMissing] = useState<{ name?: boolean; municipality?: boolean }>({});
  const [refused, setRefused] = useState<string>();
  const [{ fetching }, create] = useMutation(CreateUnitDocument);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const miss = { name: !name.trim(), municipality: !municipality.trim() };
    setMissing(miss);
    if (miss.name || miss.municipality) return;
    const result = await create({ name: name.trim(), municipality: municipality.trim() });
    if (result.error) return setRefused(adminErrorText(result.error, 'unit'));
    onDone(result.data!.createUnit.name);
  };
  return (
    <div className="card">
      <Form className="form" onSubmit={submit} validationBehavior="aria" aria-label={u.create}>
        <TextField
          className="field"
          value={name}
          onChange={(v) => (setName(v), setMissing((m) => ({ ...m, name: false })), setRefused(undefined))}
          isRequired
          isInvalid={!!missing.name || !!refused}
          autoFocus
        >
          <Label>{u.name}</Label>
          <Input autoComplete="off" />
          <FieldError className="field-error">{refused ?? u.nameRequired}</FieldError>
        </TextField>
        <TextField
          className="field"
          value={municipality}
          onChange={(v) => (setMunicipality(v), setMissing((m) => ({ ...m, municipality: false })))}
          isRequired
          isInvalid={!!missing.municipality}
        >
          <Label>{u.municipality}</Label>
          <Input autoComplete="off" />
          <FieldError className="field-error">{u.municipalityRequired}</FieldError>
        </TextField>
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {u.save}
          </Button>
          <Button className="button" onPress={() => onDone()}>
            {u.cancel}
          </Button>
        </div>
      </Form>
    </div>
  );
}
