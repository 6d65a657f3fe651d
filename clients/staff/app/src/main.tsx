import { createRoot } from 'react-dom/client';
import '../../../shared/ui/styles.css';
import { SessionProvider, useSession } from '../../../shared/ui/session';
import { SignInScreen, UnreachableScreen } from '../../../shared/ui/SignIn';
import { fmt, StringsContext } from '../../../shared/ui/strings';
import { Button, I18nProvider } from 'react-aria-components';
import { sv } from './strings.sv';

/** A placeholder until the staff issues land: sign-in for staff, and who is signed in. */
function App() {
  const { state, signOut } = useSession();
  if (state.status === 'loading') return <main id="innehall" className="site-main site-main--narrow"><p role="status">{sv.loading}</p></main>;
  if (state.status === 'unreachable') return <UnreachableScreen appName={sv.appName} />;
  if (state.status !== 'signedIn') return <SignInScreen appName={sv.appName} />;
  return (
    <main id="innehall" className="site-main site-main--narrow">
      <p className="site-name site-name--large">{sv.appName}</p>
      <h1>{sv.placeholder.title}</h1>
      <p>{fmt(sv.placeholder.welcome, { name: state.session.name })}</p>
      <p>{sv.placeholder.text}</p>
      <Button className="button" onPress={() => void signOut()}>
        {sv.signOut}
      </Button>
    </main>
  );
}

document.documentElement.lang = sv.lang;
document.title = sv.appName;

createRoot(document.getElementById('app')!).render(
  <I18nProvider locale="sv-SE">
    <StringsContext value={sv}>
      <SessionProvider app="staff">
        <App />
      </SessionProvider>
    </StringsContext>
  </I18nProvider>,
);
