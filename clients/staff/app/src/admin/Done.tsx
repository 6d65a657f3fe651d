import { useEffect, useRef } from 'react';

/** A confirmation that something was done; `at` distinguishes two equal texts in a row. */
export interface DoneNote {
  text: string;
  at: number;
}

export const doneNote = (text: string): DoneNote => ({ text, at: Date.now() });

/**
 * The confirmation above the list. With `focus`, keyboard users land on it
 * (the form or button they used is gone), and a screen reader reads it.
 */
export function Done({ note, focus }: { note?: DoneNote; focus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (note && focus) ref.current?.focus();
  }, [note, focus]);
  if (!note) return null;
  return (
    <div ref={ref} tabIndex={-1} className="alert alert--ok admin-done" data-testid="admin-done">
      <p>{note.text}</p>
    </div>
  );
}
