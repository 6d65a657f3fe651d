import { usePageTitle } from '../../../shared/ui/usePageTitle';
import { sv } from './strings.sv';

/** The e-service is not activated for this person: say so plainly, and who can change it. */
export function NotActivated() {
  usePageTitle(sv.notActivated.title, sv.appName);
  return (
    <>
      <h1>{sv.notActivated.title}</h1>
      <div className="alert alert--warning">
        <p>{sv.notActivated.text}</p>
      </div>
    </>
  );
}
