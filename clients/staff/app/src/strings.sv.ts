import type { CommonStrings } from '../../../shared/ui/strings';

/** Every text of the staff UI, in Swedish. A translation is a copy of this file. */
export const sv = {
  lang: 'sv',
  appName: 'Meddelande IFO – för personal',
  skipToContent: 'Hoppa till innehållet',
  loading: 'Laddar…',
  signedInAs: 'Inloggad som',
  signOut: 'Logga ut',
  mainNav: 'Huvudmeny',
  signIn: {
    title: 'Logga in',
    lead: 'För handläggare, utförare och systemförvaltare i socialtjänsten. Logga in med kommunens inloggning.',
    buttonOidc: 'Logga in med kommunens inloggning',
    buttonDev: 'Logga in (utvecklingsläge)',
    devNote: 'Utvecklingsläge: du väljer en av demopersonerna i stället för kommunens inloggning.',
  },
  session: {
    expiredTitle: 'Din session har gått ut',
    expiredText: 'Du har varit inaktiv en stund eller loggat ut i ett annat fönster. Logga in igen för att fortsätta.',
    signInAgain: 'Logga in igen',
  },
  unreachable: {
    title: 'Tjänsten går inte att nå just nu',
    text: 'Det går inte att nå tjänsten just nu. Kontrollera nätverket och försök igen om en stund.',
    retry: 'Försök igen',
    liveLost: 'Anslutningen bröts. Vi försöker igen automatiskt.',
  },
  errors: {
    generic: 'Något gick fel. Försök igen om en stund.',
    notFound: 'Det du letar efter finns inte, eller så har du inte tillgång till det.',
    byCode: {},
  },
  upload: {
    add: 'Lägg till bilaga (PDF)',
    remove: 'Ta bort',
    removeNamed: 'Ta bort {name}',
    progress: 'Laddar upp {name}',
    done: '{name} är uppladdad.',
    tooMany: 'Du kan bifoga högst {max} filer i ett meddelande.',
    tooLarge: 'Filen är större än 16 MB. Välj en mindre fil.',
    notPdf: 'Filen är inte en PDF. Du kan bara bifoga PDF-filer.',
    failed: 'Filen kunde inte laddas upp. Försök igen.',
  },
  message: {
    from: 'Från:',
    to: 'Till:',
    sent: 'Skickat',
    attachments: 'Bilagor',
    download: 'Ladda ner',
    history: 'Händelser',
    readReceiptRequested: 'Läskvitto begärt',
    autoReply: 'Automatiskt svar',
    events: {},
  },
  placeholder: {
    title: 'Personalens webbgränssnitt',
    text: 'Webbgränssnittet för personal byggs just nu. Tills vidare används API:et och de typade klienterna.',
    welcome: 'Välkommen, {name}.',
  },
} satisfies CommonStrings & Record<string, unknown>;
