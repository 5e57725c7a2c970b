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

/** What {@link UserStore.updateUser} may change; `credentials` replaces the realm and its HA1 values together. */
export type UserChanges = Partial<Pick<UserRecord, 'mwiEnabled' | 'unsolicitedMwi' | 'displayName'>> & {
  credentials?: Pick<UserRecord, 'realm' | 'ha1'>;
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

/** Everything the server persists. */
export interface Storage extends UserStore, BindingStore, SettingsStore, MwiStore, SubscriptionStore, TokenStore {
  /**
   * Hot-path writes may be committed in groups: this resolves once every
   * write made so far is durable (undefined when none is pending). Anything
   * that acknowledges a write waits for it first.
   */
  barrier(): Promise<void> | undefined;
  close(): void;
}
