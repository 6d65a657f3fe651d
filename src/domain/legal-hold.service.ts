import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { Case } from '../entities/case';
import { Conversation } from '../entities/conversation';
import { LegalHold } from '../entities/legal-hold';
import { Staff } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { isId } from './ids';
import { raw, sql, type Sql } from './sql';
import { multiLineText } from './text';

const MAX_REASON_CHARS = 2000;

function reasonText(value: string | null | undefined, field: string, what: string): string {
  const v = multiLineText(value ?? '').trim();
  if (!v) throw badInput(field, `Write ${what}: it stays on record (e.g. the request and its reference number).`);
  if (v.length > MAX_REASON_CHARS) throw badInput(field, `Keep ${what} under ${MAX_REASON_CHARS} characters.`);
  return v;
}

// --- L1 as SQL: what a hold covers, written once for gallring's statements (retention.service G3) ---------

/** The conversation (alias) is on hold, itself or through its case (or, without a case, its citizen's held case). */
export function conversationHeld(alias = 'c'): Sql {
  const c = raw(alias);
  return sql`exists (select 1 from legal_hold h left join case_file hc on hc.id = h.case_id
     where h.released_at is null
       and (h.conversation_id = ${c}.id or h.case_id = ${c}.case_id or (${c}.case_id is null and hc.holder_id = ${c}.citizen_id)))`;
}

/** The person (a uuid column expression) is the holder of a held case or the citizen of a held conversation. */
export function personHeld(column: Sql): Sql {
  return sql`exists (select 1 from legal_hold h
       left join case_file hc on hc.id = h.case_id left join conversation hv on hv.id = h.conversation_id
     where h.released_at is null and (hc.holder_id = ${column} or hv.citizen_id = ${column}))`;
}

/** The message (a uuid column expression) is in a held conversation. */
export function messageHeld(column: Sql): Sql {
  return sql`exists (select 1 from message hm join conversation c on c.id = hm.conversation_id
     where hm.id = ${column} and ${conversationHeld('c')})`;
}

/**
 * Legal hold (bevarandebeslut), placed and released by administrators.
 *
 * L1 A hold is on exactly one conversation or one case; while it is not
 *    released, gallring leaves it alone (retention.service G3).
 * L2 Who placed it, when and why is recorded; so is who released it, when
 *    and why. A hold is never changed otherwise nor deleted.
 * L3 One active hold per conversation or case: a second is refused with
 *    CONFLICT (the first already covers it).
 */
export class LegalHoldService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
  ) {}

  async place(input: { conversationId?: string | null; caseId?: string | null; reason: string }): Promise<LegalHold> {
    const reason = reasonText(input.reason, 'reason', 'why the hold is placed');
    if (!!input.conversationId === !!input.caseId)
      throw badInput('conversationId', 'Give either a conversation id or a case id (one hold covers one of them).');
    return this.em.transactional(async (em) => {
      // The target row's lock serialises two administrators placing a hold on it at once (L3).
      if (input.conversationId) {
        const conversation = isId(input.conversationId)
          ? await em.findOne(Conversation, { id: input.conversationId }, { lockMode: LockMode.PESSIMISTIC_WRITE })
          : null;
        if (!conversation) throw notFound('conversation');
        await this.refuseSecond(
          em,
          { conversationId: conversation.id },
          'This conversation is already on legal hold; that hold covers it.',
        );
        return this.create(em, { conversationId: conversation.id, reason });
      }
      const caseId = input.caseId ?? '';
      const c = isId(caseId) ? await em.findOne(Case, { id: caseId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!c) throw notFound('case');
      await this.refuseSecond(em, { case: c.id }, 'This case is already on legal hold; that hold covers it.');
      return this.create(em, { case: c, reason });
    });
  }

  async release(id: string, reasonInput: string): Promise<LegalHold> {
    const reason = reasonText(reasonInput, 'reason', 'why the hold is released');
    return this.em.transactional(async (em) => {
      const hold = isId(id) ? await em.findOne(LegalHold, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!hold) throw notFound('legal hold');
      if (hold.releasedAt)
        throw new AppError(ErrorCode.CONFLICT, 'This legal hold was already released; its release is on record.', {
          field: 'id',
        });
      hold.releasedAt = new Date();
      hold.releasedBy = em.getReference(Staff, this.viewer.staff.id);
      hold.releaseReason = reason;
      await em.flush();
      return hold;
    });
  }

  /** Holds, newest first; active ones only unless asked. */
  async list(activeOnly: boolean): Promise<LegalHold[]> {
    return this.em.find(LegalHold, activeOnly ? { releasedAt: null } : {}, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: 500,
    });
  }

  private async refuseSecond(em: EntityManager, where: { conversationId?: string; case?: string }, message: string) {
    if (await em.count(LegalHold, { ...where, releasedAt: null }))
      throw new AppError(ErrorCode.CONFLICT, message, { field: where.case ? 'caseId' : 'conversationId' });
  }

  private async create(
    em: EntityManager,
    data: { conversationId?: string; case?: Case; reason: string },
  ): Promise<LegalHold> {
    const hold = em.create(LegalHold, { ...data, placedBy: this.viewer.staff.id });
    await em.flush();
    return hold;
  }
}
