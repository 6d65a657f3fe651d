import type { CitizenViewer, StaffViewer } from '../auth/viewer';
import type { Context } from '../context';
import { forbidden, unauthenticated } from '../errors';

/** The staff viewer; resolvers guarded by @Authorized have one, this narrows the type. */
export function staffOf(ctx: Context): StaffViewer {
  if (!ctx.viewer) throw ctx.authFailure ?? unauthenticated();
  if (ctx.viewer.kind !== 'staff') throw forbidden('This is for staff only.');
  return ctx.viewer;
}

export function citizenOf(ctx: Context): CitizenViewer {
  if (!ctx.viewer) throw ctx.authFailure ?? unauthenticated();
  if (ctx.viewer.kind !== 'citizen') throw forbidden('This is for citizens only.');
  return ctx.viewer;
}
