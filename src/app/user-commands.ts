import { hashPinSync } from '../voicemail/pin-hash.js';
import { computeHa1 } from '../sip/auth/ha1.js';
import { ntHashSync } from '../http/auth/nt-hash.js';
import type { Storage, UserChanges, UserRecord } from '../storage/ports.js';
import { UsageError } from './errors.js';
import { isEmailAddress } from './notify/email-address.js';
import { storedDomain } from './open-storage.js';

/** Options of `openum user add` (CONTRACT.md). */
export interface AddUserOptions {
  name: string;
  password: string;
  extension?: string;
  displayName?: string;
  mwi?: 'on' | 'off';
  /** Unsolicited NOTIFYs to registered contacts without a subscription (default on). */
  unsolicitedMwi?: 'on' | 'off';
  pin?: string;
  domain?: string;
  /** Where new messages are e-mailed with their audio (`openum serve --smtp`). */
  email?: string;
  /** The menu asks for the PIN on the user's own phone too (default on). */
  ownPhonePin?: 'on' | 'off';
}

/** User names are SIP user parts we never need to escape (RFC 3261 section 25.1 `unreserved`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/;

/** Validate and add a user; the password is kept only as HA1 values (RFC 8760 section 3) and its NT hash ([MS-NLMP] 3.3.1). */
export function addUser(storage: Storage, o: AddUserOptions, now = Date.now()): UserRecord {
  if (!NAME.test(o.name)) throw new UsageError(`user name "${o.name}": use letters, digits and . _ ~ - (at most 64)`);
  if (/^\d+$/.test(o.name) && storage.findUser(o.name)) throw new UsageError(`"${o.name}" is already an extension`);
  checkPassword(o.password);
  if (o.extension !== undefined && !/^\d{1,15}$/.test(o.extension))
    throw new UsageError(`--extension "${o.extension}": digits only (1-15)`);
  if (o.pin !== undefined && !/^\d{4,12}$/.test(o.pin)) throw new UsageError('--pin: 4 to 12 digits');
  onOff(o.mwi, '--mwi');
  onOff(o.unsolicitedMwi, '--unsolicited-mwi');
  onOff(o.ownPhonePin, '--own-phone-pin');
  if (o.email !== undefined) checkEmail(o.email);
  if (storage.getUser(o.name)) throw new UsageError(`user "${o.name}" exists`);
  if (o.extension !== undefined && storage.findUser(o.extension))
    throw new UsageError(`extension ${o.extension} is taken`);
  const user: UserRecord = {
    name: o.name,
    extension: o.extension ?? null,
    displayName: o.displayName ?? null,
    mwiEnabled: o.mwi !== 'off',
    unsolicitedMwi: o.unsolicitedMwi !== 'off',
    ...credentials(o.name, o.password, o.domain ?? storedDomain(storage)),
    pinHash: o.pin === undefined ? null : hashPinSync(o.pin),
    email: o.email === undefined || o.email === '' ? null : o.email,
    ownPhonePin: o.ownPhonePin !== 'off',
    createdAt: now,
  };
  storage.addUser(user);
  return user;
}

function checkPassword(password: string): void {
  if (password.length < 4) throw new UsageError('--password: at least 4 characters');
}

/** A bare address, see {@link isEmailAddress}; the empty string (which clears it) passes. */
function checkEmail(email: string): void {
  if (email === '') return;
  if (!isEmailAddress(email)) throw new UsageError(`--email "${email}": an address such as alice@example.com`);
}

/**
 * The realm and its HA1 values for a password (RFC 8760 section 3), and its NT
 * hash for NTLM over HTTP ([MS-NLMP] section 3.3.1 NTOWFv1): all that is kept of it.
 */
function credentials(name: string, password: string, realm: string): Pick<UserRecord, 'realm' | 'ha1' | 'ntHash'> {
  return {
    realm,
    ha1: { MD5: computeHa1(name, realm, password, 'MD5'), 'SHA-256': computeHa1(name, realm, password, 'SHA-256') },
    ntHash: ntHashSync(password),
  };
}

function onOff(v: string | undefined, flag: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new UsageError(`${flag}: on or off`);
  return v === 'on';
}

/** Options of `openum user set`. */
export interface SetUserOptions {
  mwi?: string;
  unsolicitedMwi?: string;
  displayName?: string;
  /** A new password, hashed for `domain` (default: the domain the server last ran with). */
  password?: string;
  domain?: string;
  /** A new e-mail address; '' removes it. */
  email?: string;
  ownPhonePin?: string;
}

/**
 * `openum user set NAME [--mwi on|off] [--unsolicited-mwi on|off] [--display-name S] [--password P [--domain D]]
 * [--email ADDR] [--own-phone-pin on|off]` (`--email ''` removes the address);
 * a running server sees it within a second. A new password also moves the
 * user to the current domain's realm.
 */
export function setUser(storage: Storage, name: string, o: SetUserOptions): void {
  const mwiEnabled = onOff(o.mwi, '--mwi');
  const unsolicitedMwi = onOff(o.unsolicitedMwi, '--unsolicited-mwi');
  const ownPhonePin = onOff(o.ownPhonePin, '--own-phone-pin');
  if (o.password !== undefined) checkPassword(o.password);
  else if (o.domain !== undefined)
    throw new UsageError('--domain goes with --password (the realm is re-hashed from the password)');
  if (o.email !== undefined) checkEmail(o.email);
  if (
    mwiEnabled === undefined &&
    unsolicitedMwi === undefined &&
    o.displayName === undefined &&
    o.password === undefined &&
    o.email === undefined &&
    ownPhonePin === undefined
  ) {
    throw new UsageError(
      'nothing to change: give --mwi, --unsolicited-mwi, --display-name, --password, --email or --own-phone-pin',
    );
  }
  const changes: UserChanges = {
    ...(mwiEnabled !== undefined && { mwiEnabled }),
    ...(unsolicitedMwi !== undefined && { unsolicitedMwi }),
    ...(ownPhonePin !== undefined && { ownPhonePin }),
    ...(o.displayName !== undefined && { displayName: o.displayName }),
    ...(o.email !== undefined && { email: o.email === '' ? null : o.email }),
    ...(o.password !== undefined && { credentials: credentials(name, o.password, o.domain ?? storedDomain(storage)) }),
  };
  if (!storage.updateUser(name, changes)) throw new UsageError(`no user "${name}"`);
}

/** Remove a user and its bindings. */
export function removeUser(storage: Storage, name: string): void {
  if (!storage.removeUser(name)) throw new UsageError(`no user "${name}"`);
}

/** One line per user for `openum user list`: name, extension, MWI, registered contacts. */
export function listUsers(storage: Storage, now = Date.now()): string[] {
  return storage.listUsers().map((u) => {
    const contacts = storage.listBindings(u.name).filter((b) => b.expiresAt > now).length;
    return [
      u.name,
      u.extension ? `ext=${u.extension}` : 'ext=-',
      `mwi=${u.mwiEnabled ? 'on' : 'off'}`,
      `unsolicited=${u.unsolicitedMwi ? 'on' : 'off'}`,
      `contacts=${contacts}`,
      `pin=${u.pinHash ? 'set' : 'none'}`,
      ...(u.email ? [`email=${u.email}`] : []),
      u.displayName ? `"${u.displayName}"` : '',
    ]
      .join(' ')
      .trimEnd();
  });
}
