import { createRoot } from 'react-dom/client';
import { I18nProvider } from 'react-aria-components';
import '../../../shared/ui/styles.css';
import './staff.css';
import { SessionProvider } from '../../../shared/ui/session';
import { StringsContext } from '../../../shared/ui/strings';
import { App } from './App';
import { sv } from './strings.sv';

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
