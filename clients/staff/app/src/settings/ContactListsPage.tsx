import { sv } from '../strings.sv';

export function ContactListsPage() {
  return <h1>{sv.loading}</h1>;
}
