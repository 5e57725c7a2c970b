/**
 * Storage ports: the driver-neutral interfaces the domain layers use
 * (Kamailio presence habit: storage behind a port, adapters per database).
 * The SQLite adapter (default) lives in ./sqlite/, PostgreSQL comes with the
 * scale-out work. Domain code imports only the types declared here.
 */

/** Digest algorithms whose HA1 we keep (RFC 8760 section 2). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** A user (mailbox owner). Passwords are never stored: only HA1 per algorithm (RFC 8760 section 3). */
export interface UserRecord {
  /** Account name: the user part of `sip:NAME@DOMAIN`. */
  name: string;
  /** Optional numeric alias: `sip:EXT@DOMAIN` reaches the same user. */
  extension: string | null;
  displayName: string | null;
  /** MWI enabled for this user (Exchange: AllowMessageWaitingIndicator). */
  mwiEnabled: boolean;
  /** Send unsolicited NOTIFYs to contacts without a subscription. */
  unsolicitedMwi: boolean;
  /** Realm the HA1 values were computed for. */
  realm: string;
  ha1: Record<DigestAlgorithm, string>;
  /** scrypt hash of the voicemail PIN, or null. */
  pinHash: string | null;
  createdAt: number;
}

/** Users: lookups by name or extension alias. */
export interface UserStore {
  addUser(user: UserRecord): void;
  getUser(name: string): UserRecord | undefined;
  /** Resolve a name or an extension to its user. */
  findUser(nameOrExtension: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  /** Remove a user and everything bound to it; false when there was none. */
  removeUser(name: string): boolean;
}

/** Where a binding's REGISTER came from (RFC 3261 section 18.2.1, RFC 3581). */
export interface BindingSource {
  protocol: string;
  address: string;
  port: number;
}

/** One registered contact of an address-of-record (RFC 3261 section 10.3). */
export interface BindingRecord {
  /** The user name (the AOR's key). */
  user: string;
  /** Binding identity: `+sip.instance` when present (RFC 5626 section 6), else the contact URI. */
  key: string;
  /** The Contact header value as registered (name-addr form, without the expires parameter). */
  contact: string;
  /** The contact URI alone. */
  uri: string;
  instanceId: string | null;
  callId: string;
  cseq: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  source: BindingSource;
  /** The connection the REGISTER arrived on, for stream transports (not meaningful after a restart). */
  flowId: string | null;
  userAgent: string | null;
  q: number | null;
  updatedAt: number;
}

/** Bindings, persisted so a restart keeps them. */
export interface BindingStore {
  listBindings(user: string): BindingRecord[];
  listAllBindings(): BindingRecord[];
  /** Replace the whole set of bindings of one user atomically. */
  replaceBindings(user: string, bindings: BindingRecord[]): void;
  /** Delete bindings that expired at or before `now`; returns how many. */
  deleteExpired(now: number): number;
  countBindings(): number;
}

/** Small key/value settings (server secrets, schema facts). */
export interface SettingsStore {
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
}

/** Everything the server persists. */
export interface Storage extends UserStore, BindingStore, SettingsStore {
  close(): void;
}
