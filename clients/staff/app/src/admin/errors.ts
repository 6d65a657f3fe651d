import type { CombinedError } from '@urql/core';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { sv } from '../strings.sv';
import { adminSv } from './strings.sv';

/**
 * The Swedish sentence for a refusal in the administration, by the API's
 * `extensions.code` (never its English message): the code with the field it
 * names, or with the context of the action, then the code alone.
 */
export function adminErrorText(error: CombinedError | undefined, context?: string): string {
  const code = errorCode(error);
  if (!code) return sv.errors.generic;
  const field = errorField(error);
  return (
    (field && adminSv.errors[`${code}_${field}`]) ||
    (context && adminSv.errors[`${code}_${context}`]) ||
    adminSv.errors[code] ||
    sv.errors.byCode[code] ||
    sv.errors.generic
  );
}
