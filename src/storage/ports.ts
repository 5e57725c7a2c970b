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
  /**
   * NT hash of the password ([MS-NLMP] section 3.3.1 NTOWFv1, hex), for NTLM
   * over HTTP (EWS); null for users whose password was set before openum kept it.
   */
  ntHash: string | null;
  /** scrypt hash of the voicemail PIN, or null. */
  pinHash: string | null;
  /** Where each new message is e-mailed with its audio (`openum serve --smtp`), or null. */
  email: string | null;
  /** The phone menu asks for the PIN even when the user calls from their own authenticated phone (default true). */
  ownPhonePin: boolean;
  createdAt: number;
}

/**
 * What {@link UserStore.updateUser} may change; `credentials` replaces the realm, its HA1 values and the NT hash together.
 * `email: null` clears the address (a null `displayName` leaves the name as it is).
 */
export type UserChanges = Partial<
  Pick<UserRecord, 'mwiEnabled' | 'unsolicitedMwi' | 'displayName' | 'email' | 'ownPhonePin'>
> & {
  credentials?: Pick<UserRecord, 'realm' | 'ha1' | 'ntHash'>;
};

/** Users: lookups by name or extension alias. */
export interface UserStore {
  addUser(user: UserRecord): void;
  getUser(name: string): UserRecord | undefined;
  /** Resolve a name or an extension to its user. */
  findUser(nameOrExtension: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  /** Change a user's settings (not the name); false when there is no such user. */
  updateUser(name: string, changes: UserChanges): boolean;
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
  /** Bindings that expired at or before `now`. */
  listExpiredBindings(now: number): BindingRecord[];
  /** Bindings registered over one connection. */
  listBindingsByFlow(flowId: string): BindingRecord[];
  /** Delete bindings that expired at or before `now`; returns how many. */
  deleteExpired(now: number): number;
  countBindings(): number;
}

/** Small key/value settings (server secrets, schema facts). */
export interface SettingsStore {
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
}

/** Message counts of one mailbox as one source sees them (RFC 3842 section 5.2 voice-message counts). */
export interface MwiCounts {
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
}

/**
 * One source's view of one mailbox: our voicemail store (`voicemail`), a
 * trusted SIP peer (`sip:ADDRESS`), an API token (`token:ID`), the CLI (`cli`).
 * Each update of a source replaces that source's counts whole.
 */
export interface MwiSourceRecord {
  mailbox: string;
  source: string;
  counts: MwiCounts;
  /** Optional Message-Account the source named. */
  account: string | null;
  updatedAt: number;
  /** RFC 3903 publications expire; other sources do not (null). */
  expiresAt: number | null;
  /** RFC 3903 entity-tag of a PUBLISH source. */
  etag: string | null;
}

/** MWI state: per (mailbox, source) counts, a version per mailbox, and a change feed. */
export interface MwiStore {
  listMwiSources(mailbox: string): MwiSourceRecord[];
  listAllMwiSources(): MwiSourceRecord[];
  /** Sources whose publication ran out at or before `now` (RFC 3903). */
  listExpiredMwiSources(now: number): MwiSourceRecord[];
  /** The mailbox's version and when it last changed (epoch ms; 0 = never). */
  getMwiVersion(mailbox: string): { version: number; changedAt: number };
  /**
   * Atomically replace (or, with `record` null, delete) one source's record,
   * set the mailbox version, and append to the change feed tagged with
   * `origin` (the writing process).
   */
  applyMwiChange(change: {
    mailbox: string;
    source: string;
    record: MwiSourceRecord | null;
    version: number;
    changedAt: number;
    origin: string;
    /** Append to the change feed (for writers other processes must hear of, e.g. the CLI); default true. */
    announce?: boolean;
  }): void;
  /** Changes after `afterId` written by another origin (to learn of writes by another process, e.g. the CLI). */
  mwiChangesSince(afterId: number, limit: number, exceptOrigin: string): { id: number; mailbox: string }[];
  latestMwiChangeId(): number;
}

/** A subscription as persisted (RFC 6665 dialog state and what the notifier needs to resume it). */
export interface SubscriptionRecord {
  /** Dialog id: Call-ID, local tag, remote tag. */
  id: string;
  event: string;
  /** The resource (mailbox) subscribed to. */
  resource: string;
  /** The authenticated user who subscribed. */
  subscriber: string;
  /** The dialog state (JSON of sip/dialog's DialogState). */
  dialog: string;
  expiresAt: number;
  /** Where the SUBSCRIBE came from and over which flow. */
  source: BindingSource;
  flowId: string | null;
  /** Our Contact for this dialog. */
  localContact: string;
  /** Package-specific state (JSON), e.g. the roaming list or ms-benotify support. */
  packageState: string | null;
  /** An upper bound of the CSeq numbers we have used in the dialog (we skip past it after a restart). */
  seqCeiling: number;
  createdAt: number;
}

/** Subscriptions (RFC 6665), kept across restarts. */
export interface SubscriptionStore {
  putSubscription(r: SubscriptionRecord): void;
  deleteSubscription(id: string): void;
  listSubscriptions(): SubscriptionRecord[];
  countSubscriptions(): number;
}

/** An API token; only its SHA-256 is kept. */
export interface TokenRecord {
  id: string;
  hash: string;
  scope: 'admin' | 'mwi:write';
  /** Limited to one mailbox, or null for all. */
  mailbox: string | null;
  createdAt: number;
}

/** API tokens. */
export interface TokenStore {
  addToken(t: TokenRecord): void;
  findTokenByHash(hash: string): TokenRecord | undefined;
  listTokens(): TokenRecord[];
}

/** The MWI source our own voicemail writes (one of {@link MwiSourceRecord.source}). */
export const VOICEMAIL_SOURCE = 'voicemail';

/** Where a stored message came from: a caller who left it, or the REST API. */
export type MessageOrigin = 'call' | 'api';

/** One voicemail message: its facts and where its audio (a WAV file) lies. */
export interface MessageRecord {
  /** Random and URL-safe (16 random bytes in base64url). */
  id: string;
  mailbox: string;
  /** From P-Asserted-Identity, else From (RFC 3325 section 9.1); null when withheld (`Privacy: id`) or unknown. */
  callerNumber: string | null;
  callerName: string | null;
  /** Epoch milliseconds. */
  receivedAt: number;
  durationMs: number;
  urgent: boolean;
  /** Read messages are in the Old folder, unread ones in INBOX (new). */
  read: boolean;
  callId: string | null;
  /** Why the call was diverted to us (RFC 5806 `reason`, RFC 7044 cause): 'busy', 'unavailable', 'unconditional'... */
  reason: string | null;
  /** Relative to the audio root, `/`-separated (see {@link AudioStore}). */
  audioPath: string;
  audioBytes: number;
  origin: MessageOrigin;
}

/**
 * What the MWI service hands a message write, so that the store changes the
 * mailbox's `voicemail` source, its version and the change feed in the same
 * transaction as the message: a lamp never shows without its message, nor a
 * message without its lamp.
 */
export interface LampStamp {
  /** The mailbox the change is for; a message of another mailbox is left alone. */
  mailbox: string;
  /** The mailbox version to write (a store never lowers a newer one). */
  version: number;
  /** Epoch ms: the lamp's changedAt and the source's updatedAt. */
  changedAt: number;
  /** The writing process, for the change feed (see {@link MwiStore.mwiChangesSince}). */
  origin: string;
  /** Append to the change feed; default true. */
  announce?: boolean;
}

/**
 * Voicemail messages. Every write that changes a mailbox's counts takes a
 * {@link LampStamp} and, in one transaction, also recomputes the mailbox's
 * `voicemail` source from its messages (new = unread, old = read; urgent
 * ones counted again in urgentNew/urgentOld, RFC 3842 section 5.2), writes
 * it (a mailbox with no message has no `voicemail` source row, as an
 * MwiService update with null counts leaves it), the version and the feed.
 * Each write resolves once it is durable; each returns the new counts, or
 * undefined when it changed nothing (then nothing was written).
 */
export interface MessageStore {
  addMessage(m: MessageRecord, lamp: LampStamp): Promise<MwiCounts>;
  /** Move a message between INBOX (false) and Old (true). */
  setRead(id: string, read: boolean, lamp: LampStamp): Promise<MwiCounts | undefined>;
  setUrgent(id: string, urgent: boolean, lamp: LampStamp): Promise<MwiCounts | undefined>;
  /** Delete the row (its audio is the caller's to remove, or the sweep's). */
  deleteMessage(id: string, lamp: LampStamp): Promise<{ message: MessageRecord; counts: MwiCounts } | undefined>;
  getMessage(id: string): Promise<MessageRecord | undefined>;
  /** Newest first. */
  listMessages(mailbox: string): Promise<MessageRecord[]>;
  /** To refuse a deposit when the mailbox is full (`--max-messages`). */
  countMessages(mailbox: string): Promise<number>;
  /** Every audio path a message or greeting refers to (for {@link AudioStore.sweep}). */
  listAllAudioPaths(): Promise<Set<string>>;
}

/** The greetings a mailbox may record (Asterisk's unavail, busy, temp and name). */
export type GreetingKind = 'unavailable' | 'busy' | 'temporary' | 'name';

/** Recorded greetings, one per (mailbox, kind). */
export interface GreetingStore {
  /** Set (or replace) a greeting; resolves with the replaced audio path, if any. */
  putGreeting(mailbox: string, kind: GreetingKind, audioPath: string): Promise<string | undefined>;
  getGreeting(mailbox: string, kind: GreetingKind): Promise<string | undefined>;
  /** Resolves with the removed audio path, or undefined when there was none. */
  deleteGreeting(mailbox: string, kind: GreetingKind): Promise<string | undefined>;
}

/** Voicemail PINs, kept as hashes on the user (read back through {@link UserRecord.pinHash}). */
export interface PinStore {
  /** Set or (null) clear a user's PIN hash; false when there is no such user. */
  setPin(name: string, pinHash: string | null): Promise<boolean>;
}

/**
 * Audio files (WAV) under one root folder, by paths relative to it
 * (`MAILBOX/NAME.wav`). A write is atomic and durable: temporary file,
 * fsync, rename, fsync of the folder.
 */
export interface AudioStore {
  /**
   * Write `MAILBOX/NAME.wav` and resolve with its relative path once it is
   * durable; `name` (letters, digits, `_`, `-`) is random when omitted.
   * Rejects with an error whose `code` is 'disk-full' or 'write-failed',
   * leaving no file behind.
   */
  write(mailbox: string, bytes: Uint8Array, name?: string): Promise<string>;
  read(path: string): Promise<Buffer>;
  /** The absolute file path (for ranged reads); throws on a path that leaves the root. */
  path(path: string): string;
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  /** False when there was no such file. */
  remove(path: string): Promise<boolean>;
  /**
   * Remove the `.wav` files no record knows and leftover temporary files,
   * both only when older than `minAgeMs` (default 0: all, for the start);
   * resolves with how many went.
   */
  sweep(known: ReadonlySet<string>, opts?: { minAgeMs?: number }): Promise<number>;
}

/** Everything the server persists. */
export interface Storage
  extends
    UserStore,
    BindingStore,
    SettingsStore,
    MwiStore,
    SubscriptionStore,
    TokenStore,
    MessageStore,
    GreetingStore,
    PinStore {
  /**
   * Hot-path writes may be committed in groups: this resolves once every
   * write made so far is durable (undefined when none is pending). Anything
   * that acknowledges a write waits for it first.
   */
  barrier(): Promise<void> | undefined;
  close(): void;
}
