/**
 * GraphiQL keeps tabs and history in localStorage, the history with each
 * request's headers. A pasted token must not outlive the tab there (script on
 * this origin could read it later): bearer tokens are cut out of everything
 * stored. Queries, variables and history stay.
 */
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export const tokenFreeStorage = {
  getItem: (key: string) => localStorage.getItem(key),
  setItem: (key: string, value: string) => localStorage.setItem(key, value.replace(BEARER, '$1<removed>')),
  removeItem: (key: string) => localStorage.removeItem(key),
  clear: () => localStorage.clear(),
  get length() {
    return localStorage.length;
  },
};
