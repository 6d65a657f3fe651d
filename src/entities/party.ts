import { registerEnumType } from 'type-graphql';

/** Who can send and receive messages. */
export enum PartyKind {
  STAFF = 'STAFF',
  SHARED_MAILBOX = 'SHARED_MAILBOX',
  PERSON = 'PERSON',
}
registerEnumType(PartyKind, {
  name: 'PartyKind',
  description: 'The kind of a message party.',
  valuesConfig: {
    STAFF: { description: "A staff member's own mailbox." },
    SHARED_MAILBOX: { description: "A unit's shared mailbox (gemensam brevlåda)." },
    PERSON: { description: 'A citizen: a case holder or an activated relation.' },
  },
});

/** A party as stored: exactly one of the three ids is set (a check constraint enforces it). */
export interface PartyRef {
  kind: PartyKind;
  id: string;
}

export const partyKey = (p: PartyRef) => `${p.kind}:${p.id}`;
