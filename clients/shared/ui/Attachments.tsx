import { useCallback, useRef, useState } from 'react';
import { Button, FileTrigger, ProgressBar } from 'react-aria-components';
import { useAnnounce } from './Layout';
import { MAX_FILES, UploadError, uploadPdf, type UploadedFile } from './upload';
import { fmt, formatSize, useCommonStrings, type CommonStrings } from './strings';

export interface AttachmentItem {
  key: string;
  name: string;
  size: number;
  progress: number;
  status: 'uploading' | 'done' | 'error';
  error?: string;
  uploaded?: UploadedFile;
}

function reason(s: CommonStrings, err: unknown): string {
  const code = err instanceof UploadError ? err.code : 'UPLOAD_FAILED';
  if (code === 'FILE_TOO_LARGE') return s.upload.tooLarge;
  if (code === 'UNSUPPORTED_FILE_TYPE') return s.upload.notPdf;
  return s.errors.byCode[code] ?? s.upload.failed;
}

/** The PDFs being attached to one message: each uploads at once, with progress; refusals stay listed with the reason. */
export function useAttachments(onUnauthenticated: () => void) {
  const s = useCommonStrings();
  const announce = useAnnounce();
  const [items, setItems] = useState<AttachmentItem[]>([]);
  const seq = useRef(0);
  const update = (key: string, patch: Partial<AttachmentItem>) =>
    setItems((list) => list.map((i) => (i.key === key ? { ...i, ...patch } : i)));

  const current = useRef(items);
  current.current = items;
  const add = useCallback(
    (files: File[]) => {
      const room = MAX_FILES - current.current.filter((i) => i.status !== 'error').length;
      const accepted = files.slice(0, Math.max(0, room));
      if (files.length > accepted.length) announce(fmt(s.upload.tooMany, { max: MAX_FILES }));
      const added: AttachmentItem[] = accepted.map((file) => ({
        key: `f${++seq.current}`,
        name: file.name,
        size: file.size,
        progress: 0,
        status: 'uploading',
      }));
      setItems((list) => [...list, ...added]);
      added.forEach((item, n) => {
        const file = accepted[n];
        uploadPdf(file, (p) => update(item.key, { progress: p })).then(
          (uploaded) => {
            update(item.key, { status: 'done', progress: 1, uploaded });
            announce(fmt(s.upload.done, { name: file.name }));
          },
          (err) => {
            if (err instanceof UploadError && err.code === 'UNAUTHENTICATED') onUnauthenticated();
            const error = reason(s, err);
            update(item.key, { status: 'error', error });
            announce(`${file.name}: ${error}`);
          },
        );
      });
    },
    [announce, onUnauthenticated, s],
  );
  const remove = useCallback((key: string) => setItems((list) => list.filter((i) => i.key !== key)), []);
  const clear = useCallback(() => setItems([]), []);
  const ids = items.filter((i) => i.status === 'done').map((i) => i.uploaded!.id);
  const busy = items.some((i) => i.status === 'uploading');
  const full = items.filter((i) => i.status !== 'error').length >= MAX_FILES;
  return { items, add, remove, clear, ids, busy, full };
}

export type AttachmentsState = ReturnType<typeof useAttachments>;

/** "Bilagor": add PDFs (at most 5 × 16 MB), see each one's progress or why it was refused, remove one. */
export function AttachmentPicker({ state, label }: { state: AttachmentsState; label: string }) {
  const s = useCommonStrings();
  return (
    <fieldset className="attachments">
      <legend>{label}</legend>
      {state.items.length > 0 && (
        <ul className="attachments__list">
          {state.items.map((i) => (
            <li key={i.key} className={`attachments__item attachments__item--${i.status}`}>
              <span className="attachments__name">
                {i.name} <span className="muted">({formatSize(i.size)})</span>
              </span>
              {i.status === 'uploading' && (
                <ProgressBar
                  value={i.progress * 100}
                  className="progress"
                  aria-label={fmt(s.upload.progress, { name: i.name })}
                >
                  {({ percentage }) => (
                    <>
                      <div className="progress__track">
                        <div className="progress__fill" style={{ width: `${percentage}%` }} />
                      </div>
                      <span className="progress__value">{Math.round(percentage ?? 0)} %</span>
                    </>
                  )}
                </ProgressBar>
              )}
              {i.status === 'error' && (
                <span className="field-error" role="alert">
                  {i.error}
                </span>
              )}
              <Button
                className="button button--link"
                onPress={() => state.remove(i.key)}
                aria-label={fmt(s.upload.removeNamed, { name: i.name })}
              >
                {s.upload.remove}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {state.full ? (
        <p className="muted">{fmt(s.upload.tooMany, { max: MAX_FILES })}</p>
      ) : (
        <FileTrigger
          acceptedFileTypes={['application/pdf', '.pdf']}
          allowsMultiple
          onSelect={(list) => list && state.add(Array.from(list))}
        >
          <Button className="button">{s.upload.add}</Button>
        </FileTrigger>
      )}
    </fieldset>
  );
}
