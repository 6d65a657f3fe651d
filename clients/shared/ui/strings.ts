import { createContext, useContext } from 'react';

/**
 * The texts the shared components show. Each app's catalogue (e.g.
 * clients/citizen/app/src/strings.sv.ts) provides them with its own, so a
 * translation is a new catalogue file, not a code change.
 */
export interface CommonStrings {
  lang: string;
  skipToContent: string;
  loading: string;
  signedInAs: string;
  signOut: string;
  mainNav: string;
  signIn: {
    title: string;
    lead: string;
    buttonOidc: string;
    buttonDev: string;
    devNote: string;
  };
  session: {
    expiredTitle: string;
    expiredText: string;
    signInAgain: string;
    /** The warning before the idle limit, "{minutes}" filled in; without it no warning is shown. */
    endingSoon?: string;
    stay?: string;
  };
  unreachable: {
    title: string;
    text: string;
    retry: string;
    liveLost: string;
  };
  errors: {
    generic: string;
    notFound: string;
    byCode: Record<string, string>;
  };
  upload: {
    add: string;
    remove: string;
    removeNamed: string;
    progress: string;
    done: string;
    tooMany: string;
    tooLarge: string;
    notPdf: string;
    failed: string;
  };
  message: {
    from: string;
    to: string;
    sent: string;
    attachments: string;
    download: string;
    history: string;
    readReceiptRequested: string;
    autoReply: string;
    events: Record<string, string>;
  };
}

export const StringsContext = createContext<CommonStrings | null>(null);

/** The app's catalogue, as the shared components know it. */
export function useCommonStrings(): CommonStrings {
  const s = useContext(StringsContext);
  if (!s) throw new Error('StringsContext is missing: wrap the app in <StringsContext value={catalogue}>');
  return s;
}

/** Fills `{name}` placeholders: fmt('{count} olästa', { count: 2 }). */
export function fmt(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in vars ? String(vars[key]) : whole));
}

/** Picks the singular or plural template by count, then fills it. */
export function plural(count: number, one: string, other: string, vars: Record<string, string | number> = {}): string {
  return fmt(count === 1 ? one : other, { count, ...vars });
}

const dateTime = new Intl.DateTimeFormat('sv-SE', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/Stockholm',
});
const dateOnly = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'medium', timeZone: 'Europe/Stockholm' });

/** "2 dec. 2026 08:15", Swedish time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

/** "1,2 MB", "340 kB". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024)
    return `${(bytes / (1024 * 1024)).toLocaleString('sv-SE', { maximumFractionDigits: 1 })} MB`;
  return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('sv-SE')} kB`;
}
