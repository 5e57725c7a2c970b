import { randomBytes, createHash } from 'node:crypto';
import { MwiService, type MailboxMwi } from '../mwi/mwi-service.js';
import { validCounts } from '../mwi/mwi-counts.js';
import type { Storage } from '../storage/ports.js';
import { UsageError } from './errors.js';

/** `openum token create`: a random token; only its SHA-256 is stored. Returns the token text (shown once). */
export function createToken(storage: Storage, scope: string, mailbox: string | undefined, now = Date.now()): string {
  if (scope !== 'admin' && scope !== 'mwi:write') throw new UsageError(`--scope ${scope}: admin or mwi:write`);
  if (mailbox !== undefined && !storage.getUser(mailbox)) throw new UsageError(`--mailbox ${mailbox}: no such user`);
  if (mailbox !== undefined && scope === 'admin')
    throw new UsageError('--mailbox limits mwi:write tokens; an admin token is for all');
  const id = randomBytes(6).toString('hex');
  const token = `oum_${id}_${randomBytes(24).toString('base64url')}`;
  storage.addToken({
    id,
    hash: createHash('sha256').update(token).digest('hex'),
    scope,
    mailbox: mailbox ?? null,
    createdAt: now,
  });
  return token;
}

function intOption(v: string | undefined, name: string): number {
  if (v === undefined) return 0;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} ${v}: a whole number`);
  return Number(v);
}

/** One line describing a lamp, e.g. `alice on new=8 old=3 urgent=0/0 version=4`. */
export function describeLamp(s: MailboxMwi): string {
  const c = s.counts;
  return `${s.mailbox} ${s.messagesWaiting ? 'on' : 'off'} new=${c.new} old=${c.old} urgent=${c.urgentNew}/${c.urgentOld} version=${s.version}`;
}

function mailboxOf(storage: Storage, name: string): string {
  const u = storage.findUser(name);
  if (!u) throw new UsageError(`no user "${name}"`);
  return u.name;
}

/** `openum mwi show NAME` */
export function mwiShow(storage: Storage, name: string): string {
  return describeLamp(new MwiService(storage).get(mailboxOf(storage, name)));
}

/**
 * `openum mwi set NAME --new N --old N [--urgent-new N] [--urgent-old N]`:
 * sets the `cli` source's counts (0/0 clears it). A server running on the
 * same data folder sees the change within half a second and tells every
 * endpoint.
 */
export function mwiSet(
  storage: Storage,
  name: string,
  o: { new?: string; old?: string; urgentNew?: string; urgentOld?: string },
): string {
  if (o.new === undefined || o.old === undefined) throw new UsageError('--new and --old are required');
  const mailbox = mailboxOf(storage, name);
  const user = storage.getUser(mailbox)!;
  if (!user.mwiEnabled) throw new UsageError(`message waiting indication is off for ${mailbox}`);
  const counts = {
    new: intOption(o.new, '--new'),
    old: intOption(o.old, '--old'),
    urgentNew: intOption(o.urgentNew, '--urgent-new'),
    urgentOld: intOption(o.urgentOld, '--urgent-old'),
  };
  const bad = validCounts(counts);
  if (bad) throw new UsageError(bad);
  const mwi = new MwiService(storage);
  const zero = counts.new + counts.old === 0;
  return describeLamp(mwi.update({ mailbox, source: 'cli', counts: zero ? null : counts }).state);
}
