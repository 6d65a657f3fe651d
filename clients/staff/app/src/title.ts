import { usePageTitle as useAppPageTitle } from '../../../shared/ui/usePageTitle';
import { sv } from './strings.sv';

/** The shared page-title hook with the staff app's name, e.g. "Inkorg – Meddelande IFO – för personal". */
export function usePageTitle(title: string | undefined): void {
  useAppPageTitle(title, sv.appName);
}
