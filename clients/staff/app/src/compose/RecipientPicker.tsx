import { useEffect, useState } from 'react';
import {
  Button,
  ComboBox,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Tag,
  TagGroup,
  TagList,
  Text,
} from 'react-aria-components';
import { useQuery } from 'urql';
import { fmt } from '../../../../shared/ui/strings';
import {
  CitizenTargetsDocument,
  ContactListsDocument,
  StaffDirectoryDocument,
  type PartyFieldsFragment,
} from '../../../src/generated/graphql';
import { sv } from '../strings.sv';

export type Recipient = PartyFieldsFragment;

interface Option {
  key: string;
  label: string;
  disabled?: boolean;
  /** What choosing it adds: one party, or a contact list's members. */
  adds: Recipient[];
}

function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** 191212121212 → 19121212-1212, as staff read a personnummer. */
function pnr(p: string): string {
  return p.length === 12 ? `${p.slice(0, 8)}-${p.slice(8)}` : p;
}

/** The options for what is typed now; `pending` while its answer has not come (none are offered meanwhile). */
export interface Found {
  options: Option[];
  pending: boolean;
}

/**
 * Whether the search's answer is for what is typed now. The search follows the typing after a pause, and urql
 * keeps the previous term's answer until the new one comes: offered meanwhile, the first of another term's
 * people was what ArrowDown and Enter (or a click) chose.
 */
function answersTyped(typed: string, term: string, result: { fetching: boolean; operation?: { variables: object } }) {
  const asked = (result.operation?.variables as { search?: string | null } | undefined)?.search;
  return !!typed && term === typed && !result.fetching && asked === typed;
}

/** "Till klient": the citizens the sender may see, by name or personnummer; one not activated for the e-service is listed but cannot be chosen. */
export function useCitizenOptions(search: string): Found {
  const typed = search.trim();
  const term = useDebounced(typed);
  const [result] = useQuery({ query: CitizenTargetsDocument, variables: { search: term || null }, pause: !term });
  const answered = answersTyped(typed, term, result);
  const options = (answered ? (result.data?.persons.nodes ?? []) : []).map((p) => ({
    key: `PERSON:${p.id}`,
    label: p.eService.messagingEnabled
      ? `${p.name}, ${pnr(p.personnummer)}`
      : `${p.name}, ${pnr(p.personnummer)} (${sv.compose.notActivated})`,
    disabled: !p.eService.messagingEnabled,
    adds: [{ kind: 'PERSON' as const, id: p.id, name: p.name, title: null }],
  }));
  return { options, pending: !!typed && !answered };
}

/** "Till": staff and shared mailboxes by name, and the user's contact lists (choosing one adds its members). */
export function useStaffOptions(search: string, withLists = true): Found {
  const typed = search.trim();
  const term = useDebounced(typed);
  const [result] = useQuery({ query: StaffDirectoryDocument, variables: { search: term || null }, pause: !term });
  const [{ data: lists }] = useQuery({ query: ContactListsDocument, pause: !withLists });
  const answered = answersTyped(typed, term, result);
  const lower = term.toLowerCase();
  const listOptions: Option[] =
    withLists && answered
      ? (lists?.contactLists ?? [])
          .filter((l) => l.name.toLowerCase().includes(lower))
          .map((l) => ({
            key: `LIST:${l.id}`,
            label: fmt(sv.compose.contactList, { name: l.name, count: l.members.length }),
            adds: l.members,
          }))
      : [];
  const parties: Option[] = (answered ? (result.data?.staffDirectory ?? []) : []).map((p) => ({
    key: `${p.kind}:${p.id}`,
    label: p.title ? `${p.name}, ${p.title}` : p.name,
    adds: [p],
  }));
  return { options: [...listOptions, ...parties], pending: !!typed && !answered };
}

/**
 * A search field that adds recipients (react-aria ComboBox: type, arrow
 * down, Enter), with the chosen ones as removable tags above it (Delete or
 * the × removes one).
 */
export function RecipientPicker({
  label,
  hint,
  value,
  onChange,
  found,
  search,
  onSearch,
  invalid,
  errorId,
}: {
  label: string;
  hint: string;
  value: Recipient[];
  onChange: (next: Recipient[]) => void;
  found: Found;
  search: string;
  onSearch: (s: string) => void;
  invalid?: boolean;
  errorId?: string;
}) {
  const { options, pending } = found;
  const chosen = new Set(value.map((p) => `${p.kind}:${p.id}`));
  const items = options.filter((o) => o.adds.some((p) => !chosen.has(`${p.kind}:${p.id}`)));
  const add = (key: string) => {
    const option = options.find((o) => o.key === key);
    if (!option) return;
    const next = [...value];
    for (const p of option.adds) if (!next.some((q) => q.kind === p.kind && q.id === p.id)) next.push(p);
    onChange(next);
    onSearch('');
  };
  return (
    <div className="field recipient-picker">
      <ComboBox
        className="field"
        inputValue={search}
        onInputChange={onSearch}
        selectedKey={null}
        onSelectionChange={(key) => key !== null && add(String(key))}
        items={items}
        disabledKeys={items.filter((o) => o.disabled).map((o) => o.key)}
        menuTrigger="input"
        allowsEmptyCollection={search.trim().length > 0}
        isInvalid={invalid}
        aria-describedby={errorId}
      >
        <Label>{label}</Label>
        <Text slot="description" className="field-description">
          {hint}
        </Text>
        <div className="combo">
          <Input />
        </div>
        <Popover className="popover">
          <ListBox
            className="listbox"
            renderEmptyState={() => (
              <p className="listbox-item">{pending ? sv.compose.searching : sv.compose.noMatches}</p>
            )}
          >
            {(o: Option) => (
              <ListBoxItem id={o.key} textValue={o.label} className="listbox-item">
                {o.label}
              </ListBoxItem>
            )}
          </ListBox>
        </Popover>
      </ComboBox>
      {value.length > 0 && (
        <TagGroup
          aria-label={`${label}: ${sv.compose.selected}`}
          onRemove={(keys) => onChange(value.filter((p) => !keys.has(`${p.kind}:${p.id}`)))}
        >
          <TagList className="tags" items={value.map((p) => ({ ...p, key: `${p.kind}:${p.id}` }))}>
            {(p) => (
              <Tag id={p.key} textValue={p.name} className="tag">
                {p.name}
                <Button
                  slot="remove"
                  className="tag__remove"
                  aria-label={fmt(sv.compose.removeRecipient, { name: p.name })}
                >
                  <span aria-hidden="true">×</span>
                </Button>
              </Tag>
            )}
          </TagList>
        </TagGroup>
      )}
    </div>
  );
}
