import type { ApolloServerPlugin } from '@apollo/server';
import { requestStore } from '../log';

/**
 * Names each HTTP GraphQL request for its log line and metrics: the
 * operation's name ("anonymous" when it has none, "invalid" when it never
 * parsed) and the `extensions.code` of every error it answered with.
 */
export const observabilityPlugin: ApolloServerPlugin = {
  requestDidStart() {
    return Promise.resolve({
      didResolveOperation({ request, operation }) {
        const info = requestStore.getStore();
        if (info) info.operationName = operation?.name?.value ?? request.operationName ?? 'anonymous';
        return Promise.resolve();
      },
      willSendResponse({ response, errors }) {
        const info = requestStore.getStore();
        if (!info) return Promise.resolve();
        info.operationName ??= 'invalid';
        const body = response.body;
        const sent = body.kind === 'single' ? body.singleResult.errors : undefined;
        const codes = (sent ?? errors ?? []).map((e) => codeOf(e.extensions));
        if (codes.length) info.errorCodes = codes;
        return Promise.resolve();
      },
    });
  },
};

/** An error's `extensions.code` as a label: what a client would branch on. */
function codeOf(extensions: Readonly<Record<string, unknown>> | undefined): string {
  const code = extensions?.code;
  if (code === undefined || code === null) return 'UNKNOWN';
  return typeof code === 'string' ? code : JSON.stringify(code);
}
