import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, Checkbox, FieldError, Form, Input, Label, Radio, RadioGroup, TextField } from 'react-aria-components';
import { useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { AttachmentPicker, useAttachments } from '../../../../shared/ui/Attachments';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { useSession } from '../../../../shared/ui/session';
import { fmt, formatSize } from '../../../../shared/ui/strings';
import { newIdempotencyKey } from '../../../../shared/ui/text';
import {
  DeleteDraftDocument,
  MailboxSettingsDocument,
  SaveStaffDraftDocument,
  SendMessageDocument,
  StaffDraftsDocument,
  StaffMeDocument,
  type DraftFieldsFragment,
} from '../../../src/generated/graphql';
import { useLive } from '../live';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { timeOfDay } from '../time';
import { RecipientPicker, useCitizenOptions, useStaffOptions, type Recipient } from './RecipientPicker';

// The editor (TipTap/ProseMirror) is the heaviest part of the app: it loads when Skriv nytt is opened, not before.
const RichTextEditor = lazy(() => import('./RichTextEditor'));

/** How long typing may pause before the draft is saved. */
const AUTOSAVE_MS = 800;

/**
 * Skriv nytt (/skriv) and a saved draft (/skriv/:draftId). The draft saves
 * itself while typing, so a reload or an expired session loses nothing.
 */
export function ComposePage() {
  const { draftId } = useParams();
  const navigate = useNavigate();
  // A draft this page created keeps its form when the address changes to it; any other is loaded.
  const created = useRef<string | undefined>(undefined);
  const [loaded, setLoaded] = useState<DraftFieldsFragment>();
  const load = !!draftId && draftId !== created.current && loaded?.id !== draftId;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: StaffDraftsDocument,
    variables: { first: 100 },
    pause: !load,
    requestPolicy: 'network-only',
  });
  const found = load ? data?.drafts.nodes.find((d) => d.id === draftId) : undefined;
  useEffect(() => {
    if (found) setLoaded(found);
  }, [found]);
  const onCreated = useCallback(
    (id: string) => {
      created.current = id;
      navigate(`/skriv/${id}`, { replace: true });
    },
    [navigate],
  );
  if (load) {
    if (!data)
      return (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      );
    if (!found) {
      return (
        <>
          <h1>{sv.compose.title}</h1>
          <p>{sv.errors.byCode.NOT_FOUND}</p>
        </>
      );
    }
    return null;
  }
  const initial = loaded && loaded.id === draftId ? loaded : undefined;
  return <ComposeForm key={initial?.id ?? 'nytt'} initial={initial} onCreated={onCreated} />;
}

interface Problems {
  recipients?: string;
  subject?: string;
  body?: string;
  general?: string;
}

function ComposeForm({ initial, onCreated }: { initial?: DraftFieldsFragment; onCreated: (id: string) => void }) {
  const navigate = useNavigate();
  usePageTitle(sv.compose.title);
  const session = useSession();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const { mailboxes } = useLive();
  const [{ data: me }] = useQuery({ query: StaffMeDocument });
  const [{ data: settings }] = useQuery({ query: MailboxSettingsDocument });
  const executor = me?.staffMe.role === 'EXECUTOR';

  const [from, setFrom] = useState<string>(initial?.fromSharedMailboxId ?? 'self');
  const [recipientType, setRecipientType] = useState<'citizen' | 'staff'>('citizen');
  const [citizens, setCitizens] = useState<Recipient[]>(
    () => initial?.to.parties.filter((p) => p.kind === 'PERSON') ?? [],
  );
  const [colleagues, setColleagues] = useState<Recipient[]>(
    () => initial?.to.parties.filter((p) => p.kind !== 'PERSON') ?? [],
  );
  const [citizenSearch, setCitizenSearch] = useState('');
  const [staffSearch, setStaffSearch] = useState('');
  const [subject, setSubject] = useState(initial?.subject ?? '');
  const [body, setBody] = useState({ html: initial?.bodyHtml ?? '', text: '' });
  const [readReceipt, setReadReceipt] = useState(initial?.readReceiptRequested ?? false);
  const [signature, setSignature] = useState(initial?.addSignature ?? true);
  const [kept, setKept] = useState(initial?.attachments ?? []);
  const attachments = useAttachments(session.expired);
  const [problems, setProblems] = useState<Problems>({});
  const [savedAt, setSavedAt] = useState<string | undefined>(initial?.savedAt);
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'error'>('idle');
  const [sending, setSending] = useState(false);
  // The button stays focusable while sending (a disabled one would drop keyboard focus); this guards a second press.
  const sendingNow = useRef(false);
  const [, saveDraft] = useMutation(SaveStaffDraftDocument);
  const [, sendMessage] = useMutation(SendMessageDocument);
  const [, deleteDraft] = useMutation(DeleteDraftDocument);
  const citizenOptions = useCitizenOptions(citizenSearch);
  const staffOptions = useStaffOptions(staffSearch);

  const draftId = useRef<string | undefined>(initial?.id);
  const attachmentIds = [...kept.map((a) => a.id), ...attachments.ids];
  const input = {
    subject,
    body: body.html,
    to: {
      personIds: citizens.map((p) => p.id),
      staffIds: colleagues.filter((p) => p.kind === 'STAFF').map((p) => p.id),
      sharedMailboxIds: colleagues.filter((p) => p.kind === 'SHARED_MAILBOX').map((p) => p.id),
    },
    readReceiptRequested: readReceipt,
    addSignature: signature,
    attachmentIds,
    fromSharedMailboxId: from === 'self' ? null : from,
  };
  const latest = useRef(input);
  latest.current = input;
  const content = JSON.stringify(input);

  // Saves what is on the page now; one save at a time, and one more if something changed meanwhile.
  const saving = useRef<Promise<string | undefined> | null>(null);
  const again = useRef(false);
  const stopped = useRef(false);
  const save = useCallback(async (): Promise<string | undefined> => {
    if (saving.current) {
      again.current = true;
      return saving.current;
    }
    const run = async (): Promise<string | undefined> => {
      do {
        again.current = false;
        setSaveState('saving');
        const result = await saveDraft({ input: { ...latest.current, draftId: draftId.current } });
        if (result.error || !result.data) {
          setSaveState('error');
          return undefined;
        }
        const isNew = !draftId.current;
        draftId.current = result.data.saveDraft.id;
        setSavedAt(result.data.saveDraft.savedAt);
        setSaveState('idle');
        if (isNew && !stopped.current) onCreated(draftId.current);
      } while (again.current && !stopped.current);
      return draftId.current;
    };
    saving.current = run().finally(() => (saving.current = null));
    return saving.current;
  }, [saveDraft, onCreated]);

  // Autosave: a moment after the last change (nothing is saved before anything is written).
  const lastSaved = useRef(content);
  useEffect(() => {
    if (sending || content === lastSaved.current) return;
    const timer = setTimeout(() => {
      lastSaved.current = content;
      void save();
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [content, save, sending]);
  useEffect(
    () => () => {
      stopped.current = true;
    },
    [],
  );

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (sendingNow.current) return;
    const found: Problems = {};
    if (citizens.length + colleagues.length === 0) found.recipients = sv.compose.noRecipient;
    if (!subject.trim()) found.subject = sv.compose.noSubject;
    if (!body.html.trim()) found.body = sv.compose.noBody;
    if (attachments.busy) found.general = sv.compose.waitUploads;
    setProblems(found);
    if (found.recipients) return focusLater('[data-field="recipients"] input');
    if (found.subject) return focusLater('[data-field="subject"] input');
    if (found.body) return focusLater('[data-testid="editor"]');
    if (found.general) return;

    sendingNow.current = true;
    setSending(true);
    const id = await save();
    // The same content keeps its key, also across a reload: a retry after a dropped connection sends once.
    const keyName = `skicka:${id ?? 'nytt'}`;
    const stored = readKey(keyName);
    const key = stored && stored.content === content ? stored.key : newIdempotencyKey();
    writeKey(keyName, { content, key });
    const result = await sendMessage({ input: { ...latest.current, subject: subject.trim(), idempotencyKey: key } });
    if (result.error || !result.data) {
      sendingNow.current = false;
      setSending(false);
      const code = errorCode(result.error);
      if (code === 'UNAUTHENTICATED') return;
      const text = errorText(result.error);
      if (errorField(result.error)?.startsWith('to')) setProblems({ recipients: text });
      else setProblems({ general: text });
      return;
    }
    stopped.current = true;
    if (id) await deleteDraft({ draftId: id });
    writeKey(keyName, undefined);
    const count = result.data.sendMessage.length;
    announce(count > 1 ? fmt(sv.compose.sentMany, { count }) : sv.compose.sent);
    navigate('/skickat');
  };

  const fromItems = [
    { id: 'self', name: fmt(sv.compose.fromSelf, { name: me?.staffMe.name ?? '' }) },
    ...(mailboxes ?? []).slice(1).map((m) => ({ id: m.mailbox.id, name: m.mailbox.name })),
  ];
  const showCitizen = !executor || recipientType === 'citizen';
  const showStaff = !executor || recipientType === 'staff';
  const citizenPicker = (
    <RecipientPicker
      label={executor ? sv.compose.toStaff : sv.compose.toClient}
      hint={sv.compose.toClientHint}
      value={citizens}
      onChange={setCitizens}
      found={citizenOptions}
      search={citizenSearch}
      onSearch={setCitizenSearch}
      invalid={!!problems.recipients}
    />
  );
  const staffPicker = (
    <RecipientPicker
      label={sv.compose.toStaff}
      hint={sv.compose.toStaffHint}
      value={colleagues}
      onChange={setColleagues}
      found={staffOptions}
      search={staffSearch}
      onSearch={setStaffSearch}
      invalid={!!problems.recipients}
    />
  );

  return (
    <>
      <div className="page-head">
        <h1>{sv.compose.title}</h1>
        <p className="saved-at" role="status" data-testid="saved-at">
          {saveState === 'saving'
            ? sv.compose.saving
            : saveState === 'error'
              ? sv.compose.notSaved
              : savedAt
                ? fmt(sv.compose.savedAt, { time: timeOfDay(savedAt) })
                : ''}
        </p>
      </div>
      <Form className="form form--wide" onSubmit={submit} validationBehavior="aria">
        {fromItems.length > 1 && (
          <RadioGroup className="field radio-group" value={from} onChange={setFrom}>
            <Label>{sv.compose.from}</Label>
            <div className="radio-row">
              {fromItems.map((item) => (
                <Radio key={item.id} value={item.id} className="radio">
                  <span className="radio__dot" aria-hidden="true" />
                  {item.name}
                </Radio>
              ))}
            </div>
          </RadioGroup>
        )}
        {executor && (
          <RadioGroup
            className="field radio-group radio-group--row"
            value={recipientType}
            onChange={(v) => setRecipientType(v as 'citizen' | 'staff')}
          >
            <Label>{sv.compose.recipientType}</Label>
            <div className="radio-row">
              <Radio value="staff" className="radio">
                <span className="radio__dot" aria-hidden="true" />
                {sv.compose.staffType}
              </Radio>
              <Radio value="citizen" className="radio">
                <span className="radio__dot" aria-hidden="true" />
                {sv.compose.citizenType}
              </Radio>
            </div>
          </RadioGroup>
        )}
        <div data-field="recipients" className="recipients">
          {showCitizen && citizenPicker}
          {showStaff && staffPicker}
          {problems.recipients && (
            <p className="field-error" role="alert">
              {problems.recipients}
            </p>
          )}
        </div>
        <TextField
          className="field"
          data-field="subject"
          value={subject}
          onChange={setSubject}
          isRequired
          isInvalid={!!problems.subject}
          maxLength={200}
        >
          <Label>{sv.compose.subject}</Label>
          <Input />
          <FieldError className="field-error">{problems.subject}</FieldError>
        </TextField>
        <div className="checkbox-row">
          <Checkbox className="checkbox" isSelected={readReceipt} onChange={setReadReceipt}>
            <span className="checkbox__box" aria-hidden="true" />
            {sv.compose.readReceipt}
          </Checkbox>
          <Checkbox className="checkbox" isSelected={signature} onChange={setSignature}>
            <span className="checkbox__box" aria-hidden="true" />
            {sv.compose.signature}
          </Checkbox>
        </div>
        <div className="field">
          <span className="label" id="meddelande-etikett">
            {sv.compose.body}
          </span>
          <Suspense fallback={<p className="muted">{sv.compose.editorLoading}</p>}>
            <RichTextEditor
              labelId="meddelande-etikett"
              describedBy={
                problems.body
                  ? 'meddelande-fel'
                  : signature && settings?.mailboxSettings.signature
                    ? 'signatur-forhandsvisning'
                    : undefined
              }
              initialHtml={initial?.bodyHtml ?? ''}
              invalid={!!problems.body}
              onChange={(html, text) => setBody({ html, text })}
            />
          </Suspense>
          {problems.body && (
            <p className="field-error" id="meddelande-fel" role="alert">
              {problems.body}
            </p>
          )}
          {signature && settings?.mailboxSettings.signature && (
            <p className="muted signature-preview" id="signatur-forhandsvisning">
              {settings.mailboxSettings.signature}
            </p>
          )}
        </div>
        <div>
          <p className="field-description">{sv.compose.attachmentsHint}</p>
          {kept.length > 0 && (
            <ul className="attachments__list">
              {kept.map((a) => (
                <li key={a.id} className="attachments__item">
                  <span className="attachments__name">
                    {a.filename} <span className="muted">({formatSize(a.size)})</span>
                  </span>
                  <Button
                    className="button button--link"
                    aria-label={fmt(sv.upload.removeNamed, { name: a.filename })}
                    onPress={() => setKept((list) => list.filter((x) => x.id !== a.id))}
                  >
                    {sv.upload.remove}
                  </Button>
                </li>
              ))}
            </ul>
          )}
          <AttachmentPicker state={attachments} label={sv.compose.attachments} />
        </div>
        {problems.general && (
          <div className="alert alert--error" role="alert">
            <p>{problems.general}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {sending ? sv.compose.sending : sv.compose.send}
          </Button>
        </div>
      </Form>
    </>
  );
}

function focusLater(selector: string) {
  setTimeout(() => document.querySelector<HTMLElement>(selector)?.focus(), 0);
}

function readKey(name: string): { content: string; key: string } | undefined {
  try {
    const raw = sessionStorage.getItem(name);
    return raw ? (JSON.parse(raw) as { content: string; key: string }) : undefined;
  } catch {
    return undefined;
  }
}

function writeKey(name: string, value: { content: string; key: string } | undefined) {
  try {
    if (value) sessionStorage.setItem(name, JSON.stringify(value));
    else sessionStorage.removeItem(name);
  } catch {
    // Storage disabled: the key lives as long as the page.
  }
}
