import type Database from 'better-sqlite3';
import type { SubscriptionRecord, SubscriptionStore, TokenRecord, TokenStore } from '../ports.js';

interface SubRow {
  id: string;
  event: string;
  resource: string;
  subscriber: string;
  dialog: string;
  expires_at: number;
  source_protocol: string;
  source_address: string;
  source_port: number;
  flow_id: string | null;
  local_contact: string;
  package_state: string | null;
  seq_ceiling: number;
  created_at: number;
}

/** The subscription and token tables of the SQLite adapter. */
export class SqliteSubscriptions implements SubscriptionStore, TokenStore {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      put: db.prepare(`INSERT INTO subscriptions (id, event, resource, subscriber, dialog, expires_at, source_protocol,
        source_address, source_port, flow_id, local_contact, package_state, seq_ceiling, created_at) VALUES (@id, @event,
        @resource, @subscriber, @dialog, @expires_at, @source_protocol, @source_address, @source_port, @flow_id,
        @local_contact, @package_state, @seq_ceiling, @created_at) ON CONFLICT(id) DO UPDATE SET dialog = excluded.dialog,
        expires_at = excluded.expires_at, source_protocol = excluded.source_protocol, source_address = excluded.source_address,
        source_port = excluded.source_port, flow_id = excluded.flow_id, local_contact = excluded.local_contact,
        package_state = excluded.package_state, seq_ceiling = excluded.seq_ceiling`),
      del: db.prepare('DELETE FROM subscriptions WHERE id = ?'),
      list: db.prepare('SELECT * FROM subscriptions'),
      count: db.prepare('SELECT count(*) AS n FROM subscriptions'),
      addToken: db.prepare('INSERT INTO tokens (id, hash, scope, mailbox, created_at) VALUES (?, ?, ?, ?, ?)'),
      findToken: db.prepare('SELECT * FROM tokens WHERE hash = ?'),
      listTokens: db.prepare('SELECT * FROM tokens ORDER BY created_at'),
    };
  }

  putSubscription(r: SubscriptionRecord): void {
    this.s.put.run({
      id: r.id,
      event: r.event,
      resource: r.resource,
      subscriber: r.subscriber,
      dialog: r.dialog,
      expires_at: r.expiresAt,
      source_protocol: r.source.protocol,
      source_address: r.source.address,
      source_port: r.source.port,
      flow_id: r.flowId,
      local_contact: r.localContact,
      package_state: r.packageState,
      seq_ceiling: r.seqCeiling,
      created_at: r.createdAt,
    });
  }

  deleteSubscription(id: string): void {
    this.s.del.run(id);
  }

  listSubscriptions(): SubscriptionRecord[] {
    return (this.s.list.all() as SubRow[]).map((r) => ({
      id: r.id,
      event: r.event,
      resource: r.resource,
      subscriber: r.subscriber,
      dialog: r.dialog,
      expiresAt: r.expires_at,
      source: { protocol: r.source_protocol, address: r.source_address, port: r.source_port },
      flowId: r.flow_id,
      localContact: r.local_contact,
      packageState: r.package_state,
      seqCeiling: r.seq_ceiling,
      createdAt: r.created_at,
    }));
  }

  countSubscriptions(): number {
    return (this.s.count.get() as { n: number }).n;
  }

  addToken(t: TokenRecord): void {
    this.s.addToken.run(t.id, t.hash, t.scope, t.mailbox, t.createdAt);
  }

  findTokenByHash(hash: string): TokenRecord | undefined {
    const r = this.s.findToken.get(hash) as
      { id: string; hash: string; scope: TokenRecord['scope']; mailbox: string | null; created_at: number } | undefined;
    return r && { id: r.id, hash: r.hash, scope: r.scope, mailbox: r.mailbox, createdAt: r.created_at };
  }

  listTokens(): TokenRecord[] {
    return (
      this.s.listTokens.all() as {
        id: string;
        hash: string;
        scope: TokenRecord['scope'];
        mailbox: string | null;
        created_at: number;
      }[]
    ).map((r) => ({ id: r.id, hash: r.hash, scope: r.scope, mailbox: r.mailbox, createdAt: r.created_at }));
  }
}
