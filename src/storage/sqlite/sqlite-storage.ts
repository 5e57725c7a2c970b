import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  BindingRecord,
  GreetingKind,
  LampStamp,
  MessageRecord,
  MwiCounts,
  MwiSourceRecord,
  MwiStore,
  Storage,
  SubscriptionRecord,
  TokenRecord,
  UserChanges,
  UserRecord,
} from '../ports.js';
import { WalCheckpointer } from './checkpointer.js';
import { DurableWrite } from './durable-write.js';
import { WriteBatch } from './write-batch.js';
import { migrate } from './migrations.js';
import { SqliteMessages } from './sqlite-messages.js';
import { SqliteMwi } from './sqlite-mwi.js';
import { SqliteSubscriptions } from './sqlite-subscriptions.js';
import { UserCache } from './user-cache.js';

/** Users kept in the read cache at most. */
const USER_CACHE_MAX = 100_000;
/** Users with bindings kept in the binding cache at most. */
const BINDING_CACHE_MAX = 200_000;

/** How long a cached read may lag a write by another process (ms). */
const STALE_MS = 250;

interface UserRow {
  name: string;
  extension: string | null;
  display_name: string | null;
  mwi_enabled: number;
  unsolicited_mwi: number;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  nt_hash: string | null;
  pin_hash: string | null;
  email: string | null;
  own_phone_pin: number;
  created_at: number;
}
interface BindingRow {
  user: string;
  key: string;
  contact: string;
  uri: string;
  instance_id: string | null;
  call_id: string;
  cseq: number;
  expires_at: number;
  source_protocol: string;
  source_address: string;
  source_port: number;
  flow_id: string | null;
  user_agent: string | null;
  q: number | null;
  updated_at: number;
}

function toUser(r: UserRow): UserRecord {
  return {
    name: r.name,
    extension: r.extension,
    displayName: r.display_name,
    mwiEnabled: r.mwi_enabled === 1,
    unsolicitedMwi: r.unsolicited_mwi === 1,
    realm: r.realm,
    ha1: { MD5: r.ha1_md5, 'SHA-256': r.ha1_sha256 },
    ntHash: r.nt_hash,
    pinHash: r.pin_hash,
    email: r.email,
    ownPhonePin: r.own_phone_pin !== 0,
    createdAt: r.created_at,
  };
}

function toBinding(r: BindingRow): BindingRecord {
  return {
    user: r.user,
    key: r.key,
    contact: r.contact,
    uri: r.uri,
    instanceId: r.instance_id,
    callId: r.call_id,
    cseq: r.cseq,
    expiresAt: r.expires_at,
    source: { protocol: r.source_protocol, address: r.source_address, port: r.source_port },
    flowId: r.flow_id,
    userAgent: r.user_agent,
    q: r.q,
    updatedAt: r.updated_at,
  };
}

/**
 * The default storage adapter: one SQLite file (better-sqlite3, synchronous,
 * WAL mode so the CLI can read and write while a server runs on the same file).
 */
export class SqliteStorage implements Storage {
  readonly db: Database.Database;
  private readonly stmts;
  private readonly mwi: SqliteMwi;
  private readonly subs: SqliteSubscriptions;
  private readonly messages: SqliteMessages;
  /** The voicemail's writes: one durable transaction each, after the group commit's queue. */
  private readonly durable: DurableWrite;

  private checkpointer: WalCheckpointer | undefined;
  private readonly batch: WriteBatch;
  /**
   * Read caches of users and bindings (REGISTER and SUBSCRIBE look them up
   * several times each; SQLite reads were a quarter of a REGISTER's CPU).
   * Writes by this connection update them; writes by another process (the
   * CLI) are noticed through `PRAGMA data_version` within {@link STALE_MS}.
   */
  private readonly userCache = new UserCache(USER_CACHE_MAX);
  private readonly bindingCache = new Map<string, BindingRecord[]>();
  /**
   * True when {@link bindingCache} holds every user that has bindings, so a
   * miss means "none" without a query. Every MWI change looks up the user's
   * contacts (unsolicited NOTIFY); for users who never registered that was
   * one SQLite read per change (bench/mwi/README.md has the figures).
   * Loaded whole on the first miss; any full clear of the cache resets it.
   */
  private bindingsComplete = false;
  /** loadAllBindings was tried since the last full clear (it gives up when there are too many). */
  private bindingsLoadTried = false;
  private dataVersion = -1;
  private checkedAt = 0;

  /**
   * @param file the database file, or `:memory:`
   * @param opts.background checkpoint on a worker thread (for the server; the CLI does not need it)
   */
  constructor(file: string, opts: { background?: boolean } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.batch = new WriteBatch(this.db);
    if (opts.background && file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new WalCheckpointer(file);
    }
    const db = this.db;
    this.mwi = new SqliteMwi(db);
    this.subs = new SqliteSubscriptions(db);
    this.messages = new SqliteMessages(db);
    this.durable = new DurableWrite(db, this.batch, file === ':memory:' ? undefined : `${file}-wal`);
    this.stmts = {
      insertUser: db.prepare(`INSERT INTO users (name, extension, display_name, mwi_enabled, unsolicited_mwi, realm,
        ha1_md5, ha1_sha256, nt_hash, pin_hash, email, own_phone_pin, created_at) VALUES (@name, @extension,
        @display_name, @mwi_enabled, @unsolicited_mwi, @realm, @ha1_md5, @ha1_sha256, @nt_hash, @pin_hash, @email,
        @own_phone_pin, @created_at)`),
      getUser: db.prepare('SELECT * FROM users WHERE name = ?'),
      findUser: db.prepare('SELECT * FROM users WHERE name = ? OR extension = ? ORDER BY name = ? DESC LIMIT 1'),
      listUsers: db.prepare('SELECT * FROM users ORDER BY name'),
      removeUser: db.prepare('DELETE FROM users WHERE name = ?'),
      setPin: db.prepare('UPDATE users SET pin_hash = ? WHERE name = ?'),
      updateUser: db.prepare(`UPDATE users SET mwi_enabled = coalesce(@mwi, mwi_enabled),
        unsolicited_mwi = coalesce(@unsolicited, unsolicited_mwi), display_name = coalesce(@display, display_name),
        realm = coalesce(@realm, realm), ha1_md5 = coalesce(@ha1_md5, ha1_md5), ha1_sha256 = coalesce(@ha1_sha256, ha1_sha256),
        nt_hash = CASE WHEN @credentials_set THEN @nt_hash ELSE nt_hash END,
        email = CASE WHEN @email_set THEN @email ELSE email END, own_phone_pin = coalesce(@own_phone_pin, own_phone_pin)
        WHERE name = @name`),
      listBindings: db.prepare('SELECT * FROM bindings WHERE user = ? ORDER BY key'),
      listAll: db.prepare('SELECT * FROM bindings ORDER BY user, key'),
      deleteBindings: db.prepare('DELETE FROM bindings WHERE user = ?'),
      insertBinding: db.prepare(`INSERT INTO bindings (user, key, contact, uri, instance_id, call_id, cseq, expires_at,
        source_protocol, source_address, source_port, flow_id, user_agent, q, updated_at) VALUES (@user, @key, @contact,
        @uri, @instance_id, @call_id, @cseq, @expires_at, @source_protocol, @source_address, @source_port, @flow_id,
        @user_agent, @q, @updated_at)`),
      deleteExpired: db.prepare('DELETE FROM bindings WHERE expires_at <= ?'),
      listExpired: db.prepare('SELECT * FROM bindings WHERE expires_at <= ?'),
      listByFlow: db.prepare('SELECT * FROM bindings WHERE flow_id = ?'),
      countBindings: db.prepare('SELECT count(*) AS n FROM bindings'),
      getSetting: db.prepare('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  addUser(u: UserRecord): void {
    this.userCache.clear();
    this.stmts.insertUser.run({
      name: u.name,
      extension: u.extension,
      display_name: u.displayName,
      mwi_enabled: u.mwiEnabled ? 1 : 0,
      unsolicited_mwi: u.unsolicitedMwi ? 1 : 0,
      realm: u.realm,
      ha1_md5: u.ha1.MD5,
      ha1_sha256: u.ha1['SHA-256'],
      nt_hash: u.ntHash,
      pin_hash: u.pinHash,
      email: u.email,
      own_phone_pin: u.ownPhonePin ? 1 : 0,
      created_at: u.createdAt,
    });
  }

  /** Drop the caches when another connection has committed since we last looked. */
  private fresh(): void {
    const now = Date.now();
    if (now - this.checkedAt < STALE_MS) return;
    this.checkedAt = now;
    const v = this.db.pragma('data_version', { simple: true }) as number;
    if (v !== this.dataVersion) {
      this.batch.flush();
      this.dataVersion = v;
      this.userCache.clear();
      this.clearBindingCache();
    }
  }

  private clearBindingCache(): void {
    this.bindingCache.clear();
    this.bindingsComplete = false;
    this.bindingsLoadTried = false;
  }

  /** Fill the binding cache with every user's bindings, when they fit (a miss then means none). */
  private loadAllBindings(): void {
    this.bindingsLoadTried = true;
    this.batch.flush();
    if ((this.stmts.countBindings.get() as { n: number }).n > BINDING_CACHE_MAX) return;
    this.listAllBindings();
  }

  /** Cache every user's bindings from a full read (copies: callers may change what they get). */
  private cacheAllBindings(all: readonly BindingRecord[]): void {
    this.bindingsLoadTried = true;
    if (all.length > BINDING_CACHE_MAX) return;
    const byUser = new Map<string, BindingRecord[]>();
    for (const b of all) {
      let list = byUser.get(b.user);
      if (!list) byUser.set(b.user, (list = []));
      list.push({ ...b, source: { ...b.source } });
    }
    for (const [user, list] of byUser) if (!this.bindingCache.has(user)) this.bindingCache.set(user, list);
    this.bindingsComplete = true;
  }

  getUser(name: string): UserRecord | undefined {
    this.fresh();
    let u = this.userCache.get(name);
    if (u === undefined) {
      const r = this.stmts.getUser.get(name) as UserRow | undefined;
      u = r ? toUser(r) : null;
      this.userCache.set(name, u);
    }
    return u ?? undefined;
  }

  findUser(nameOrExtension: string): UserRecord | undefined {
    this.fresh();
    const key = `\u0000${nameOrExtension}`;
    let u = this.userCache.get(key);
    // A name is found by name first (findUser's ORDER BY): a cached getUser answer serves.
    if (u === undefined) u = this.userCache.get(nameOrExtension) ?? undefined;
    if (u === undefined) {
      const r = this.stmts.findUser.get(nameOrExtension, nameOrExtension, nameOrExtension) as UserRow | undefined;
      u = r ? toUser(r) : null;
      // By name: filed under the name, which getUser shares; an extension: under NUL + extension.
      this.userCache.set(u && u.name === nameOrExtension ? nameOrExtension : key, u);
    }
    return u ?? undefined;
  }

  listUsers(): UserRecord[] {
    return (this.stmts.listUsers.all() as UserRow[]).map(toUser);
  }

  updateUser(name: string, c: UserChanges): boolean {
    this.userCache.clear();
    const bit = (v: boolean | undefined): number | null => (v === undefined ? null : v ? 1 : 0);
    return (
      this.stmts.updateUser.run({
        name,
        mwi: bit(c.mwiEnabled),
        unsolicited: bit(c.unsolicitedMwi),
        display: c.displayName ?? null,
        realm: c.credentials?.realm ?? null,
        ha1_md5: c.credentials?.ha1.MD5 ?? null,
        ha1_sha256: c.credentials?.ha1['SHA-256'] ?? null,
        credentials_set: c.credentials === undefined ? 0 : 1,
        nt_hash: c.credentials?.ntHash ?? null,
        email_set: c.email === undefined ? 0 : 1,
        email: c.email ?? null,
        own_phone_pin: bit(c.ownPhonePin),
      }).changes > 0
    );
  }

  /** Also the user's messages and greetings (their audio is swept later), and the lamp they lit. */
  removeUser(name: string): boolean {
    this.userCache.clear();
    this.bindingCache.delete(name);
    return this.durable.commit(() => {
      if (this.stmts.removeUser.run(name).changes === 0) return false;
      this.messages.dropLamp(name, Date.now());
      return true;
    });
  }

  listBindings(user: string): BindingRecord[] {
    this.fresh();
    let list = this.bindingCache.get(user);
    if (!list && !this.bindingsLoadTried) {
      this.loadAllBindings();
      list = this.bindingCache.get(user);
    }
    if (!list && this.bindingsComplete) return [];
    if (!list) {
      // No flush needed: a user's pending binding writes are always in the cache (replaceBindings puts
      // them there, and every path that empties the cache flushes first), so a miss has none.
      list = (this.stmts.listBindings.all(user) as BindingRow[]).map(toBinding);
      if (this.bindingCache.size > BINDING_CACHE_MAX) {
        this.batch.flush();
        this.clearBindingCache();
      }
      this.bindingCache.set(user, list);
    }
    return list.map((b) => ({ ...b, source: { ...b.source } }));
  }

  listAllBindings(): BindingRecord[] {
    this.batch.flush();
    const all = (this.stmts.listAll.all() as BindingRow[]).map(toBinding);
    // The start-up re-send reads them all anyway: the binding cache need not read them again.
    this.cacheAllBindings(all);
    return all;
  }

  replaceBindings(user: string, bindings: BindingRecord[]): void {
    const rows = bindings.map((b) => ({
      user: b.user,
      key: b.key,
      contact: b.contact,
      uri: b.uri,
      instance_id: b.instanceId,
      call_id: b.callId,
      cseq: b.cseq,
      expires_at: b.expiresAt,
      source_protocol: b.source.protocol,
      source_address: b.source.address,
      source_port: b.source.port,
      flow_id: b.flowId,
      user_agent: b.userAgent,
      q: b.q,
      updated_at: b.updatedAt,
    }));
    this.batch.add(() => {
      this.stmts.deleteBindings.run(user);
      for (const r of rows) this.stmts.insertBinding.run(r);
    });
    this.bindingCache.set(
      user,
      bindings.map((b) => ({ ...b, source: { ...b.source } })),
    );
  }

  listExpiredBindings(now: number): BindingRecord[] {
    this.batch.flush();
    return (this.stmts.listExpired.all(now) as BindingRow[]).map(toBinding);
  }

  listBindingsByFlow(flowId: string): BindingRecord[] {
    this.batch.flush();
    return (this.stmts.listByFlow.all(flowId) as BindingRow[]).map(toBinding);
  }

  deleteExpired(now: number): number {
    this.batch.flush();
    const users = new Set((this.stmts.listExpired.all(now) as BindingRow[]).map((r) => r.user));
    const n = this.stmts.deleteExpired.run(now).changes;
    // Re-read only the users concerned, so that the cache stays complete.
    for (const u of users) {
      if (this.bindingCache.has(u) || this.bindingsComplete) {
        this.bindingCache.set(u, (this.stmts.listBindings.all(u) as BindingRow[]).map(toBinding));
      }
    }
    return n;
  }

  countBindings(): number {
    this.batch.flush();
    return (this.stmts.countBindings.get() as { n: number }).n;
  }

  getSetting(key: string): string | undefined {
    return (this.stmts.getSetting.get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string): void {
    this.stmts.setSetting.run(key, value);
  }

  // The MWI service reads a mailbox once and then writes through its own cache; it re-reads only after
  // mwiChangesSince (which flushes), so these first reads never miss a pending write of ours.
  listMwiSources(mailbox: string): MwiSourceRecord[] {
    return this.mwi.listMwiSources(mailbox);
  }
  listAllMwiSources(): MwiSourceRecord[] {
    this.batch.flush();
    return this.mwi.listAllMwiSources();
  }
  listExpiredMwiSources(now: number): MwiSourceRecord[] {
    this.batch.flush();
    return this.mwi.listExpiredMwiSources(now);
  }
  getMwiVersion(mailbox: string): { version: number; changedAt: number } {
    return this.mwi.getMwiVersion(mailbox);
  }
  applyMwiChange(c: Parameters<MwiStore['applyMwiChange']>[0]): void {
    this.batch.add(() => this.mwi.applyMwiChange(c));
  }
  mwiChangesSince(afterId: number, limit: number, exceptOrigin: string): { id: number; mailbox: string }[] {
    this.batch.flush();
    return this.mwi.mwiChangesSince(afterId, limit, exceptOrigin);
  }
  latestMwiChangeId(): number {
    this.batch.flush();
    return this.mwi.latestMwiChangeId();
  }

  putSubscription(r: SubscriptionRecord): void {
    this.batch.add(() => this.subs.putSubscription(r));
  }
  deleteSubscription(id: string): void {
    this.batch.add(() => this.subs.deleteSubscription(id));
  }
  listSubscriptions(): SubscriptionRecord[] {
    this.batch.flush();
    return this.subs.listSubscriptions();
  }
  countSubscriptions(): number {
    this.batch.flush();
    return this.subs.countSubscriptions();
  }
  addToken(t: TokenRecord): void {
    this.subs.addToken(t);
  }
  findTokenByHash(hash: string): TokenRecord | undefined {
    return this.subs.findTokenByHash(hash);
  }
  listTokens(): TokenRecord[] {
    return this.subs.listTokens();
  }

  addMessage(m: MessageRecord, lamp: LampStamp): Promise<MwiCounts> {
    return this.durable.run(() => this.messages.add(m, lamp));
  }
  setRead(id: string, read: boolean, lamp: LampStamp): Promise<MwiCounts | undefined> {
    return this.durable.run(() => this.messages.setFlag(id, 'read', read, lamp));
  }
  setUrgent(id: string, urgent: boolean, lamp: LampStamp): Promise<MwiCounts | undefined> {
    return this.durable.run(() => this.messages.setFlag(id, 'urgent', urgent, lamp));
  }
  deleteMessage(id: string, lamp: LampStamp): Promise<{ message: MessageRecord; counts: MwiCounts } | undefined> {
    return this.durable.run(() => this.messages.delete(id, lamp));
  }
  // Message reads need no flush: message writes never wait in the group commit.
  getMessage(id: string): Promise<MessageRecord | undefined> {
    return Promise.resolve(this.messages.get(id));
  }
  listMessages(mailbox: string): Promise<MessageRecord[]> {
    return Promise.resolve(this.messages.list(mailbox));
  }
  countMessages(mailbox: string): Promise<number> {
    return Promise.resolve(this.messages.count(mailbox));
  }
  listAllAudioPaths(): Promise<Set<string>> {
    return Promise.resolve(this.messages.audioPaths());
  }
  putGreeting(mailbox: string, kind: GreetingKind, audioPath: string): Promise<string | undefined> {
    return this.durable.run(() => this.messages.putGreeting(mailbox, kind, audioPath, Date.now()));
  }
  getGreeting(mailbox: string, kind: GreetingKind): Promise<string | undefined> {
    return Promise.resolve(this.messages.getGreeting(mailbox, kind));
  }
  deleteGreeting(mailbox: string, kind: GreetingKind): Promise<string | undefined> {
    return this.durable.run(() => this.messages.deleteGreeting(mailbox, kind));
  }
  setPin(name: string, pinHash: string | null): Promise<boolean> {
    this.userCache.clear();
    return this.durable.run(() => this.stmts.setPin.run(pinHash, name).changes > 0);
  }

  barrier(): Promise<void> | undefined {
    return this.batch.barrier();
  }

  close(): void {
    this.batch.flush();
    this.durable.close();
    void this.checkpointer?.stop();
    this.checkpointer = undefined;
    this.db.close();
  }
}
