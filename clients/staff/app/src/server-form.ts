import { useEffect } from 'react';

/**
 * A form that edits what the server holds: when the server's copy changes
 * (the refetch after this form's own save, or another user's change), the
 * form takes it over, but only while the user has nothing unsaved in it. A
 * form remounted on every change of its data would instead lose what the user
 * is typing and the "sparad" message that answers the save.
 *
 * `onServer` is the server's copy as a string (e.g. JSON); `takeOver` sets the
 * form's fields from it. Forms count their edits and, after a save, subtract
 * only those the save sent: what is typed while a save is on its way stays
 * unsaved, and the refetch after that save does not overwrite it.
 */
export function useTakeOverFromServer(onServer: string, dirty: boolean, takeOver: () => void): void {
  useEffect(() => {
    if (!dirty) takeOver();
    // Only a change on the server triggers this: `dirty` and `takeOver` are read, not watched.
  }, [onServer]);
}
