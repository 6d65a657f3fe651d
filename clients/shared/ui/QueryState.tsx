import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';
import type { CombinedError } from '@urql/core';
import { errorCode } from './api';
import { useCommonStrings } from './strings';

/** The Swedish sentence for an API error: by its code, never by its English message. */
export function useErrorText(): (error: CombinedError | undefined) => string {
  const s = useCommonStrings();
  return (error) => {
    const code = errorCode(error);
    if (code === 'NETWORK') return s.unreachable.text;
    return (code && s.errors.byCode[code]) || s.errors.generic;
  };
}

/**
 * What a page shows before its data is there: "Laddar…", or the error in
 * Swedish with "Försök igen". `special` may claim a code (e.g. the e-service
 * not being activated) and show a page of its own.
 */
export function QueryState({
  fetching,
  error,
  retry,
  special,
}: {
  fetching: boolean;
  error?: CombinedError;
  retry: () => void;
  special?: (code: string | undefined) => ReactNode | undefined;
}) {
  const s = useCommonStrings();
  const text = useErrorText();
  if (error) {
    const own = special?.(errorCode(error));
    if (own) return <>{own}</>;
    return (
      <div className="alert alert--error" role="alert">
        <p>{text(error)}</p>
        <Button className="button" onPress={retry}>
          {s.unreachable.retry}
        </Button>
      </div>
    );
  }
  if (fetching)
    return (
      <p className="muted" role="status">
        {s.loading}
      </p>
    );
  return null;
}
