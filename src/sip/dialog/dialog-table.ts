/**
 * The dialogs of a UA and their usages (RFC 5057): one table the UA core
 * routes every in-dialog request through (RFC 3261 section 12.2.2).
 *
 * A dialog may carry several usages: a subscription (RFC 6665), an INVITE
 * session (RFC 3261 section 13). A usage is named within its dialog by
 * {@link usageIdOf}; the dialog lives as long as one of its usages does.
 *
 * Memory: a notifier holds 100,000 single-usage dialogs. The entry of such a
 * dialog is the usage itself, filed under the usage's own dialog-ID string;
 * only a second usage in the same dialog brings a small container.
 */
import { SipParseError, type SipRequest } from '../message/index.js';
import type { RequestContext, RequestHandler } from '../core.js';
import { dialogIdOf } from './dialog-id.js';

/** The usage id of an INVITE session (RFC 5057 section 5.2). */
export const INVITE_USAGE = 'INVITE';

/** One usage of a dialog (RFC 5057 section 3). */
export interface DialogUsage {
  /** The dialog ID key ({@link dialogKey}); the table keeps this very string as its key. */
  readonly dialogId: string;
  /** The usage within the dialog: what {@link usageIdOf} gives for the requests addressed to it. */
  readonly usageId: string;
  /** An in-dialog request addressed to this usage; answered as a method handler answers (core.ts). */
  onDialogRequest(req: SipRequest, ctx: RequestContext): ReturnType<RequestHandler>;
  /**
   * The ACK for a 2xx to an INVITE of this usage (RFC 3261 section 13.3.1.4:
   * it stops the retransmissions of that 2xx). Only an invite usage gets ACKs.
   */
  onDialogAck?(ack: SipRequest): void;
}

/** A dialog with more than one usage (rare): created when the second usage arrives, gone when one is left. */
class SharedDialog {
  constructor(readonly usages: DialogUsage[]) {}

  find(usageId: string): DialogUsage | undefined {
    for (const u of this.usages) if (u.usageId === usageId) return u;
    return undefined;
  }
}

/** The usage `usageId` of a table entry: the entry itself when it is a single usage of that id. */
function usageIn(e: DialogUsage | SharedDialog, usageId: string): DialogUsage | undefined {
  if (e instanceof SharedDialog) return e.find(usageId);
  return e.usageId === usageId ? e : undefined;
}

/** What {@link DialogTable.match} found for a request: its usage, or why none. */
export type DialogMatch = DialogUsage | 'no-dialog' | 'no-usage';

/**
 * The usage a request belongs to (RFC 5057 section 5): SUBSCRIBE and NOTIFY
 * to the subscription named by their Event type (lower-case) and `id`
 * parameter (RFC 6665 section 4.1.2.1 and 8.2.1); REFER to its implicit
 * `refer` subscription (RFC 3515); every other method (INVITE, BYE, UPDATE,
 * INFO, PRACK, ACK, CANCEL) to the invite usage.
 */
export function usageIdOf(req: SipRequest): string {
  const method = req.method;
  if (method === 'REFER') return 'refer';
  if (method !== 'SUBSCRIBE' && method !== 'NOTIFY') return INVITE_USAGE;
  const v = req.getHeader('Event') ?? '';
  const parts = v.split(';');
  const type = (parts[0] ?? '').trim().toLowerCase();
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] ?? '';
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'id') return `${type};id=${p.slice(eq + 1).trim()}`;
  }
  return type;
}

/**
 * Is the request addressed to a dialog (RFC 3261 section 12.2.2)? It has a
 * To tag, and its method can be sent in one: never REGISTER (section 10) nor
 * PUBLISH (RFC 3903 section 4, state named by entity-tag, not by dialog); the
 * To tag some phones copy into those from an earlier 200 is ignored.
 * Throws SipParseError when To cannot be parsed.
 */
export function isInDialog(req: SipRequest): boolean {
  const method = req.method;
  return method !== 'REGISTER' && method !== 'PUBLISH' && !!req.to.params.get('tag');
}

/** Every dialog of a UA, by dialog ID, with its usages. */
export class DialogTable {
  private readonly dialogs = new Map<string, DialogUsage | SharedDialog>();

  /** Dialogs held (not usages). */
  get size(): number {
    return this.dialogs.size;
  }

  /** Is there a dialog with this ID? */
  has(dialogId: string): boolean {
    return this.dialogs.has(dialogId);
  }

  /** The usage `usageId` of dialog `dialogId`, if both exist. */
  get(dialogId: string, usageId: string): DialogUsage | undefined {
    const e = this.dialogs.get(dialogId);
    return e === undefined ? undefined : usageIn(e, usageId);
  }

  /**
   * Add a usage to its dialog, creating the dialog when it is the first.
   * Returns false (and changes nothing) when the dialog already has a usage
   * with the same id.
   */
  add(usage: DialogUsage): boolean {
    const e = this.dialogs.get(usage.dialogId);
    if (e === undefined) {
      this.dialogs.set(usage.dialogId, usage);
      return true;
    }
    if (e instanceof SharedDialog) {
      if (e.find(usage.usageId)) return false;
      e.usages.push(usage);
      return true;
    }
    if (e.usageId === usage.usageId) return false;
    this.dialogs.set(usage.dialogId, new SharedDialog([e, usage]));
    return true;
  }

  /** Remove a usage; the dialog ends with its last usage (RFC 5057 section 5). Returns whether it was there. */
  remove(usage: DialogUsage): boolean {
    const e = this.dialogs.get(usage.dialogId);
    if (e === usage) return this.dialogs.delete(usage.dialogId);
    if (!(e instanceof SharedDialog)) return false;
    const i = e.usages.indexOf(usage);
    if (i < 0) return false;
    e.usages.splice(i, 1);
    // Back to the single form when one is left.
    if (e.usages.length === 1) this.dialogs.set(usage.dialogId, e.usages[0] as DialogUsage);
    return true;
  }

  /**
   * The usage an in-dialog request (one with a To tag) is addressed to:
   * 'no-dialog' when its dialog ID matches no dialog, 'no-usage' when the
   * dialog has no usage of that id (both are answered 481, RFC 3261
   * section 12.2.2, RFC 5057 section 5). Throws SipParseError when Call-ID,
   * From or To cannot be parsed.
   */
  match(req: SipRequest): DialogMatch {
    const e = this.dialogs.get(dialogIdOf(req));
    if (e === undefined) return 'no-dialog';
    return usageIn(e, usageIdOf(req)) ?? 'no-usage';
  }

  /**
   * An ACK outside any INVITE transaction (the ACK for a 2xx): handed to the
   * invite usage of its dialog, when there is one; otherwise absorbed (an
   * ACK is never answered, RFC 3261 section 17). Returns whether a usage got it.
   */
  ack(ack: SipRequest): boolean {
    let u: DialogMatch;
    try {
      u = this.match(ack);
    } catch (e) {
      if (e instanceof SipParseError) return false; // an unparseable ACK is dropped like any other
      throw e;
    }
    if (typeof u === 'string' || !u.onDialogAck) return false;
    u.onDialogAck(ack);
    return true;
  }
}
