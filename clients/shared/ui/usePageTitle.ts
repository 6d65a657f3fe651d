import { useEffect } from 'react';

/** Each page names itself in the window title (WCAG 2.4.2): "Meddelanden – Meddelande IFO – Mina sidor". */
export function usePageTitle(title: string | undefined, appName: string): void {
  useEffect(() => {
    document.title = title ? `${title} – ${appName}` : appName;
  }, [title, appName]);
}
