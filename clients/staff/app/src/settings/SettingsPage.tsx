import { sv } from '../strings.sv';

export function SettingsPage() {
  return <h1>{sv.loading}</h1>;
}
