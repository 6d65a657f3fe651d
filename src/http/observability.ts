import type { ApolloServerPlugin } from '@apollo/server';
import { requestStore } from '../log';

/**
 * Names each HTTP GraphQL request for its log line and metrics: the
 * operation's name ("anonymous" when it has none, "invalid" when it never
 * parsed) and the `extensions.code` of every error it answered with.
 */
export const observabilityPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, operation }) {
        const info = requestStore.getStore();
        if (info) info.operationName = operation?.name?.value ?? request.operationName ?? 'anonymous';
      },
      async willSendResponse({ response, errors }) {
        const info = requestStore.getStore();
        if (!info) return;
        info.operationName ??= 'invalid';
        const body = response.body;
        const sent = body.kind === 'single' ? body.singleResult.errors : undefined;
        const codes = (sent ?? errors ?? []).map((e) =>
          String((e.extensions as { code?: unknown } | undefined)?.code ?? 'UNKNOWN'),
        );
        if (codes.length) info.errorCodes = codes;
      },
    };
  },
};
