/**
 * The per-message cache of typed header views. Each view remembers the
 * field object(s) and value(s) it was parsed from and is reused only while
 * they are unchanged, so edits made without the message methods are
 * noticed too.
 * @internal
 */
import type { HeaderField } from './header-field.js';
import type { CSeq, Contact } from './headers.js';
import type { NameAddr } from './name-addr.js';
import type { Via } from './via.js';

const NONE: readonly HeaderField[] = [];

/** @internal */
export class TypedViews {
  viaFields: readonly HeaderField[] = NONE;
  viaValues: readonly string[] = [];
  vias: Via[] | undefined = undefined;
  contactFields: readonly HeaderField[] = NONE;
  contactValues: readonly string[] = [];
  contacts: Contact[] | undefined = undefined;
  fromField: HeaderField | undefined = undefined;
  fromValue = '';
  from: NameAddr | undefined = undefined;
  toField: HeaderField | undefined = undefined;
  toValue = '';
  to: NameAddr | undefined = undefined;
  cseqField: HeaderField | undefined = undefined;
  cseqValue = '';
  cseq: CSeq | undefined = undefined;
  callIdField: HeaderField | undefined = undefined;
  callIdValue = '';
  maxForwardsField: HeaderField | undefined = undefined;
  maxForwardsValue = '';
  maxForwards = 0;
  expiresField: HeaderField | undefined = undefined;
  expiresValue = '';
  expires = 0;
}

/** True when the fields with `key` are exactly `fields` carrying `values`, in order. */
export function sameFields(
  headers: readonly HeaderField[],
  key: string,
  fields: readonly HeaderField[],
  values: readonly string[],
): boolean {
  let j = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i] as HeaderField;
    if (h.key !== key) continue;
    if (fields[j] !== h || values[j] !== h.value) return false;
    j++;
  }
  return j === fields.length;
}

/** The fields with `key` and their values. */
export function collect(headers: readonly HeaderField[], key: string): { fields: HeaderField[]; values: string[] } {
  const fields: HeaderField[] = [];
  const values: string[] = [];
  for (const h of headers) {
    if (h.key === key) {
      fields.push(h);
      values.push(h.value);
    }
  }
  return { fields, values };
}
