import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Config } from './config';

/**
 * Abuse limits shared by HTTP and the websocket: depth, aliases, directives
 * and cost through GraphQL Armor; the token limit is enforced at parse time
 * instead (Armor's token rejection answers HTTP 500). Field suggestions are
 * removed by Apollo's hideSchemaDetailsFromClientErrors.
 */
export function createArmor(limits: Config['limits']) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
