import type { CombinedError } from '@urql/core';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { sv } from '../strings.sv';
import { adminSv } from './strings.sv';

/**
 * The Swedish sentence for a refusal in the administration, by the API's
 * `extensions.code` (never its English message): the code in the context of
 * the action, or with the field it names, then the code alone.
 */
export function adminErrorText(error: CombinedError | undefined, context?: string): string {
  const code = errorCode(error);
  if (!code) return sv.errors.generic;
  const field = errorField(error);
  return (
    (context && adminSv.errors[`${code}_${context}`]) ||
    (field && adminSv.errors[`${code}_${field}`]) ||
    adminSv.errors[code] ||
    sv.errors.byCode[code] ||
    sv.errors.generic
  );
}
