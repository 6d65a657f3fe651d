import type { JournalSubject, StaffConversation } from '../reading/ConversationPage';

export function JournalDialog(_: { conversation: StaffConversation; subject: JournalSubject; onClose: (done?: string) => void }) {
  return null;
}
