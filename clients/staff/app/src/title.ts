import { useEffect } from 'react';
import { sv } from './strings.sv';

/** Each page names itself in the window title (WCAG 2.4.2), e.g. "Inkorg – Meddelande IFO – för personal". */
export function usePageTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} – ${sv.appName}` : sv.appName;
  }, [title]);
}
