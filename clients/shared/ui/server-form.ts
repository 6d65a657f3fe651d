import { useEffect, useState } from 'react';

/**
 * A form that edits what the server holds. When the server's copy changes
 * (the first answer, the refetch after this form's own save, another user's
 * change), the form takes it over, but only while nothing the user changed is
 * unsaved. A form remounted on every change of its data would instead lose
 * what the user is typing and the "sparad" message that answers the save.
 *
 * Edits are counted, and a save takes off only those it sent: what is typed
 * while a save is on its way stays unsaved, and the refetch after that save
 * does not overwrite it.
 *
 * `onServer` is the server's copy as a string (e.g. JSON; undefined until it
 * has come); `takeOver` sets the form's fields from it.
 */
export function useServerForm(onServer: string | undefined, takeOver: () => void) {
  const [edits, setEdits] = useState(0);
  useEffect(() => {
    if (onServer !== undefined && edits === 0) takeOver();
    // Only a change on the server triggers this: `edits` and `takeOver` are read, not watched.
  }, [onServer]);
  const edited = () => setEdits((n) => n + 1);
  return {
    /** Counts a change the user made. */
    edited,
    /** A field's setter that also counts the change as the user's. */
    edit:
      <T>(set: (v: T) => void) =>
      (v: T) => {
        set(v);
        edited();
      },
    /** Call as a save is sent; call what it returns once the server has stored it. */
    saving: () => {
      const sent = edits;
      return () => setEdits((n) => n - sent);
    },
  };
}
