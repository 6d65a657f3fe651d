import { sv } from '../strings.sv';

export function ComposePage() {
  return <h1>{sv.loading}</h1>;
}
