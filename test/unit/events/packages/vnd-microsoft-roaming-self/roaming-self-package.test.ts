import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDialogState } from '../../../../../src/sip/dialog/index.js';
import {
  SipRequest,
  createResponse,
  parseMessage,
  serializeMessage,
  type SipResponse,
} from '../../../../../src/sip/message/index.js';
import type { TxDestination } from '../../../../../src/sip/transaction/index.js';
import { isRefusal } from '../../../../../src/events/event-package.js';
import { Subscription } from '../../../../../src/events/subscription.js';
import { parseRoamingData } from '../../../../../src/events/packages/vnd-microsoft-roaming-self/categories.js';
import { ROAMING_SELF_TYPE } from '../../../../../src/events/packages/vnd-microsoft-roaming-self/namespaces.js';
import {
  ROAMING_SELF,
  createRoamingSelfPackage,
  type RoamingSelfDeps,
  type RoamingSelfPackage,
} from '../../../../../src/events/packages/vnd-microsoft-roaming-self/roaming-self-package.js';
import {
  readRoamingSelfState,
  type RoamingSelfState,
} from '../../../../../src/events/packages/vnd-microsoft-roaming-self/roaming-self-state.js';
import { LYNC_ROAMING_LIST, OC_ROAMING_LIST_WITH_DELEGATES, subscribeText } from './roaming-self-fixtures.js';

const T_2010 = Date.UTC(2010, 9, 26, 7, 42, 42, 387);
const LYNC_HEADERS = ['Supported: ms-benotify', 'Proxy-Require: ms-benotify', 'Supported: ms-piggyback-first-notify'];

interface World {
  deps: RoamingSelfDeps;
  mailboxes: Map<
    string,
    {
      mwiEnabled: boolean;
      counts: { new: number; old: number; urgentNew: number; urgentOld: number };
      version: number;
      changedAt: number;
    }
  >;
  stateCalls: number;
}

function world(benotifyOverUdp?: boolean): World {
  const w: World = {
    mailboxes: new Map([
      [
        'alice',
        { mwiEnabled: true, counts: { new: 8, old: 3, urgentNew: 1, urgentOld: 0 }, version: 32, changedAt: T_2010 },
      ],
      ['bob', { mwiEnabled: true, counts: { new: 0, old: 0, urgentNew: 0, urgentOld: 0 }, version: 0, changedAt: 0 }],
      [
        'carol',
        { mwiEnabled: false, counts: { new: 4, old: 1, urgentNew: 0, urgentOld: 0 }, version: 5, changedAt: T_2010 },
      ],
    ]),
    stateCalls: 0,
    deps: undefined as unknown as RoamingSelfDeps,
  };
  w.deps = {
    domain: 'example.com',
    findMailbox(user) {
      const name = user === '100' ? 'alice' : user;
      const m = w.mailboxes.get(name);
      return m ? { name, mwiEnabled: m.mwiEnabled } : undefined;
    },
    state(mailbox) {
      w.stateCalls++;
      const m = w.mailboxes.get(mailbox);
      if (!m) throw new Error(`no mailbox ${mailbox}`);
      return { counts: m.counts, version: m.version, changedAt: m.changedAt };
    },
    ...(benotifyOverUdp === undefined ? {} : { benotifyOverUdp }),
  };
  return w;
}

function request(o: Parameters<typeof subscribeText>[0] = {}): SipRequest {
  const m = parseMessage(Buffer.from(subscribeText(o)), { maxSize: 1 << 20 });
  assert.ok(m instanceof SipRequest);
  return m;
}

/** A subscription as the notifier makes it after an accepted SUBSCRIBE. */
function subscription(
  pkg: RoamingSelfPackage,
  state: unknown,
  protocol: TxDestination['protocol'] = 'tls',
  resource = 'alice',
): Subscription {
  const dialog = makeDialogState(
    '0599fe5e383644229740f1afefa5b456',
    'srvtag',
    '1415cd9c08',
    '<sip:alice@example.com>',
    '<sip:alice@example.com>',
    0,
    1,
    'sip:alice@192.0.2.10:2140;transport=tls',
    [],
    false,
  );
  const source: TxDestination = { protocol, address: '192.0.2.10', port: 2140, reliable: protocol !== 'udp' };
  return new Subscription(
    'id1',
    pkg,
    resource,
    'alice',
    dialog,
    3_600_000,
    source,
    '<sip:192.0.2.1:5061;transport=tls>',
    state,
    1000,
    0,
    { onSubscriptionRequest: () => undefined },
  );
}

/** SUBSCRIBE -> package state, asserting it was accepted. */
function stateOf(pkg: RoamingSelfPackage, req: SipRequest, previous?: unknown): RoamingSelfState {
  const r = pkg.subscribeState?.(req, previous);
  assert.ok(r && !isRefusal(r), `refused: ${JSON.stringify(r)}`);
  return r.state as RoamingSelfState;
}

function refusalOf(pkg: RoamingSelfPackage, req: SipRequest): number {
  const r = pkg.subscribeState?.(req, undefined);
  assert.ok(r && isRefusal(r), 'expected a refusal');
  return r.status;
}

function accept(req: SipRequest, expires = 3600): SipResponse {
  const res = createResponse(req, 200, 'OK', 'srvtag');
  res.setHeader('Expires', String(expires));
  return res;
}

describe('roaming-self package: the record', () => {
  test('name, content type, expiry bounds', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    assert.equal(pkg.name, 'vnd-microsoft-roaming-self');
    assert.equal(pkg.contentType, 'application/vnd-microsoft-roaming-self+xml');
    assert.equal(
      pkg.accept,
      undefined,
      "Accept must allow the content type itself (406 otherwise, the framework's check)",
    );
    assert.ok(pkg.minExpires <= pkg.defaultExpires && pkg.defaultExpires <= pkg.maxExpires);
  });
});

describe('resolve: own data only ([MS-PRES] section 3.3.5.1)', () => {
  const pkg = createRoamingSelfPackage(world().deps);
  test("the user's own URI, or an extension of the same mailbox: accepted", () => {
    assert.deepEqual(pkg.resolve(request(), 'alice'), { resource: 'alice' });
    assert.deepEqual(pkg.resolve(request({ user: '100' }), 'alice'), { resource: 'alice' });
  });
  test("another user's self: 403", () => {
    const r = pkg.resolve(request({ user: 'bob' }), 'alice');
    assert.ok(isRefusal(r));
    assert.equal(r.status, 403);
  });
  test('an unknown user: 404', () => {
    const r = pkg.resolve(request({ user: 'nobody' }), 'alice');
    assert.ok(isRefusal(r));
    assert.equal(r.status, 404);
  });
  test('MWI off does not refuse the self subscription', () => {
    assert.deepEqual(pkg.resolve(request({ user: 'carol' }), 'carol'), { resource: 'carol' });
  });
});

describe('subscribeState: scope and extensions from the SUBSCRIBE', () => {
  const pkg = createRoamingSelfPackage(world().deps);

  test('a Lync SUBSCRIBE ([MS-PRES] section 4.4.1): types, ms-benotify, piggyback; plain JSON', () => {
    const st = stateOf(pkg, request({ body: OC_ROAMING_LIST_WITH_DELEGATES, headers: LYNC_HEADERS }));
    assert.deepEqual(st, {
      types: ['categories', 'containers', 'subscribers', 'delegates'],
      benotify: true,
      piggyback: true,
      eventlist: false,
    });
    assert.deepEqual(JSON.parse(JSON.stringify(st)), st);
  });

  test('ms-benotify in Proxy-Require alone, in a compact Supported (k), in a list, or in another case: offered', () => {
    assert.equal(stateOf(pkg, request({ headers: ['Proxy-Require: ms-benotify'] })).benotify, true);
    assert.equal(stateOf(pkg, request({ headers: ['k: ms-benotify'] })).benotify, true);
    const st = stateOf(pkg, request({ headers: ['Supported: eventlist, MS-BENOTIFY,ms-piggyback-first-notify'] }));
    assert.deepEqual([st.benotify, st.piggyback, st.eventlist], [true, true, true]);
  });

  test('no extensions offered: all false; ms-piggyback-first-notify in Proxy-Require does not count', () => {
    const st = stateOf(pkg, request({ headers: ['Supported: timer', 'Proxy-Require: ms-piggyback-first-notify'] }));
    assert.deepEqual([st.benotify, st.piggyback, st.eventlist], [false, false, false]);
  });

  test('empty body on a new SUBSCRIBE: categories (the one type openum serves)', () => {
    assert.deepEqual(stateOf(pkg, request({ body: '' })).types, ['categories']);
    assert.deepEqual(stateOf(pkg, request({ body: '\r\n  ', contentType: null })).types, ['categories']);
  });

  test('empty body on a refresh keeps the previous list; flags follow the refresh', () => {
    const previous = stateOf(
      pkg,
      request({
        body: '<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"><roaming type="containers"/></roamingList>',
        headers: LYNC_HEADERS,
      }),
    );
    const st = stateOf(pkg, request({ body: '', toTag: 'srvtag' }), JSON.parse(JSON.stringify(previous)));
    assert.deepEqual(st, { types: ['containers'], benotify: false, piggyback: false, eventlist: false });
  });

  test('a non-empty body on a refresh replaces the list ([MS-PRES] section 3.3.5.1)', () => {
    const st = stateOf(pkg, request({ toTag: 'srvtag' }), {
      types: ['delegates'],
      benotify: true,
      piggyback: true,
      eventlist: false,
    });
    assert.deepEqual(st.types, ['categories', 'containers', 'subscribers']);
  });

  test('malformed XML, a wrong root, the https namespace, a DOCTYPE: 400', () => {
    assert.equal(
      refusalOf(pkg, request({ body: '<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">' })),
      400,
    );
    assert.equal(refusalOf(pkg, request({ body: '<presence xmlns="urn:ietf:params:xml:ns:pidf"/>' })), 400);
    assert.equal(
      refusalOf(
        pkg,
        request({ body: '<roamingList xmlns="https://schemas.microsoft.com/2006/09/sip/roaming-self"/>' }),
      ),
      400,
    );
    assert.equal(
      refusalOf(
        pkg,
        request({ body: '<!DOCTYPE x><roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"/>' }),
      ),
      400,
    );
  });

  test('a body declared as something other than XML: 400; generic XML types and a missing Content-Type are read', () => {
    assert.equal(refusalOf(pkg, request({ contentType: 'application/sdp' })), 400);
    assert.deepEqual(stateOf(pkg, request({ contentType: 'application/xml' })).types, [
      'categories',
      'containers',
      'subscribers',
    ]);
    assert.deepEqual(
      stateOf(pkg, request({ contentType: 'Application/Vnd-Microsoft-Roaming-Self+XML; charset=utf-8' })).types.length,
      3,
    );
    assert.deepEqual(stateOf(pkg, request({ contentType: null })).types.length, 3);
  });

  test('a body over 64 KiB: 413; refusal reasons carry no input text', () => {
    const big = LYNC_ROAMING_LIST.replace('</roamingList>', `<!--${'x'.repeat(70_000)}--></roamingList>`);
    assert.equal(refusalOf(pkg, request({ body: big })), 413);
    const r = pkg.subscribeState?.(request({ body: '<evil\r\nheader="1"' }), undefined);
    assert.ok(r && isRefusal(r));
    assert.doesNotMatch(r.reason, /evil|[\r\n]/);
  });
});

describe('content: the full state ([MS-PRES] section 1.3.1.5)', () => {
  test('categories asked: the mwi category of the mailbox (8 new / 3 old, version 32)', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const c = pkg.content(
      subscription(pkg, {
        types: ['categories', 'containers', 'subscribers'],
        benotify: true,
        piggyback: false,
        eventlist: false,
      }),
    );
    assert.equal(c.contentType, ROAMING_SELF_TYPE);
    const d = parseRoamingData(c.body);
    assert.equal(d.categoriesUri, 'sip:alice@example.com');
    assert.deepEqual(
      [
        d.mwi?.messageWaiting,
        d.mwi?.unreadVoiceMailCount,
        d.mwi?.readVoiceMailCount,
        d.mwi?.version,
        d.mwi?.publishTime,
      ],
      [true, 8, 3, 32, T_2010],
    );
    assert.doesNotMatch(c.body.toString(), /containers|subscribers/, 'no containers/subscribers elements');
  });

  test('categories not asked: an empty roamingData', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const c = pkg.content(
      subscription(pkg, { types: ['containers'], benotify: false, piggyback: false, eventlist: false }),
    );
    assert.deepEqual(parseRoamingData(c.body), {});
  });

  test('MWI off: messageWaiting false and counts 0', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const d = parseRoamingData(
      pkg.content(
        subscription(
          pkg,
          { types: ['categories'], benotify: false, piggyback: false, eventlist: false },
          'tls',
          'carol',
        ),
      ).body,
    );
    assert.deepEqual(
      [d.mwi?.messageWaiting, d.mwi?.unreadVoiceMailCount, d.mwi?.readVoiceMailCount, d.mwi?.version],
      [false, 0, 0, 5],
    );
  });

  test('one body per (mailbox, version): shared until the version, change time or MWI setting changes', () => {
    const w = world();
    const pkg = createRoamingSelfPackage(w.deps);
    const st = { types: ['categories'], benotify: false, piggyback: false, eventlist: false };
    const a = pkg.content(subscription(pkg, st)).body;
    const b = pkg.content(subscription(pkg, st)).body;
    assert.equal(a, b, 'same Buffer object');
    const m = w.mailboxes.get('alice');
    assert.ok(m);
    m.version = 33;
    m.counts = { new: 9, old: 3, urgentNew: 0, urgentOld: 0 };
    const c = pkg.content(subscription(pkg, st)).body;
    assert.notEqual(c, b);
    assert.equal(parseRoamingData(c).mwi?.unreadVoiceMailCount, 9);
    m.mwiEnabled = false;
    assert.equal(parseRoamingData(pkg.content(subscription(pkg, st)).body).mwi?.unreadVoiceMailCount, 0);
  });

  test('persisted state of an older or foreign shape still yields a body (defaults: categories, plain NOTIFY)', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    for (const junk of [null, 'x', 42, { types: 'categories' }, { types: ['categories', 'bogus'], benotify: 'yes' }]) {
      const sub = subscription(pkg, junk);
      assert.equal(parseRoamingData(pkg.content(sub).body).mwi?.unreadVoiceMailCount, 8, JSON.stringify(junk));
      assert.equal(pkg.notifyMethod?.(sub).method, 'NOTIFY');
    }
  });
});

describe('BENOTIFY negotiation ([MS-SIP] section 3.5)', () => {
  const lync: RoamingSelfState = { types: ['categories'], benotify: true, piggyback: false, eventlist: false };
  const plain: RoamingSelfState = { types: ['categories'], benotify: false, piggyback: false, eventlist: false };

  test('offered over TLS/TCP: 200 carries Supported: ms-benotify; BENOTIFY fire-and-forget with Require: eventlist', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    for (const protocol of ['tls', 'tcp', 'wss'] as const) {
      const sub = subscription(pkg, lync, protocol);
      const res = accept(request({ headers: LYNC_HEADERS }));
      assert.equal(pkg.decorateAccept?.(request(), res, sub), false, 'no piggyback asked: a NOTIFY follows');
      assert.deepEqual(res.getHeaderList('Supported'), ['ms-benotify']);
      assert.equal(res.body.length, 0);
      assert.deepEqual(pkg.notifyMethod?.(sub), { method: 'BENOTIFY', fireAndForget: true });
      assert.deepEqual(pkg.extraHeaders(sub), [['Require', 'eventlist']]);
    }
  });

  test('not offered: no echo, a normal NOTIFY in a transaction, no Require', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const sub = subscription(pkg, plain);
    const res = accept(request());
    pkg.decorateAccept?.(request(), res, sub);
    assert.equal(res.hasHeader('Supported'), false);
    assert.deepEqual(pkg.notifyMethod?.(sub), { method: 'NOTIFY', fireAndForget: false });
    assert.deepEqual(pkg.extraHeaders(sub), []);
  });

  test('a NOTIFY carries Require: eventlist only when the SUBSCRIBE supported eventlist', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    assert.deepEqual(pkg.extraHeaders(subscription(pkg, { ...plain, eventlist: true })), [['Require', 'eventlist']]);
  });

  test('offered over UDP: declined (no echo, NOTIFY) unless benotifyOverUdp', () => {
    const strict = createRoamingSelfPackage(world().deps);
    const sub = subscription(strict, lync, 'udp');
    const res = accept(request());
    strict.decorateAccept?.(request(), res, sub);
    assert.equal(res.hasHeader('Supported'), false);
    assert.equal(strict.notifyMethod?.(sub).method, 'NOTIFY');
    assert.deepEqual(strict.extraHeaders(sub), []);

    const lax = createRoamingSelfPackage(world(true).deps);
    const sub2 = subscription(lax, lync, 'udp');
    const res2 = accept(request());
    lax.decorateAccept?.(request(), res2, sub2);
    assert.deepEqual(res2.getHeaderList('Supported'), ['ms-benotify']);
    assert.deepEqual(lax.notifyMethod?.(sub2), { method: 'BENOTIFY', fireAndForget: true });
  });

  test('a refresh that stops offering ms-benotify goes back to NOTIFY', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const sub = subscription(pkg, lync);
    assert.equal(pkg.notifyMethod?.(sub).method, 'BENOTIFY');
    sub.packageState = stateOf(pkg, request({ body: '', toTag: 'srvtag' }), sub.packageState);
    assert.equal(pkg.notifyMethod?.(sub).method, 'NOTIFY');
  });
});

describe('piggyback ([MS-SIP] section 3.4.5.1, [MS-PRES] section 4.11)', () => {
  test('offered: the 200 carries the first state, the headers of a NOTIFY, and no NOTIFY follows', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const req = request({ headers: LYNC_HEADERS });
    const sub = subscription(pkg, stateOf(pkg, req));
    const res = accept(req, 3600);
    assert.equal(pkg.decorateAccept?.(req, res, sub), true);
    assert.deepEqual(res.getHeaderList('Supported').sort(), ['ms-benotify', 'ms-piggyback-first-notify']);
    assert.equal(res.getHeader('Event'), ROAMING_SELF);
    assert.equal(res.getHeader('Subscription-State'), 'active;expires=3600');
    assert.equal(res.getHeader('Content-Type'), ROAMING_SELF_TYPE);
    // On the wire: Content-Length from the body, and the body reads back.
    const wire = parseMessage(serializeMessage(res));
    assert.equal(Number(wire.getHeader('Content-Length')), wire.body.length);
    const d = parseRoamingData(wire.body);
    assert.deepEqual([d.mwi?.unreadVoiceMailCount, d.mwi?.readVoiceMailCount, d.mwi?.version], [8, 3, 32]);
  });

  test('a fetch (Expires 0) with piggyback: the state is the last one, Subscription-State terminated', () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const req = request({ headers: ['Supported: ms-piggyback-first-notify'] });
    const res = accept(req, 0);
    assert.equal(pkg.decorateAccept?.(req, res, subscription(pkg, stateOf(pkg, req))), true);
    assert.equal(res.getHeader('Subscription-State'), 'terminated;reason=timeout');
  });

  test("not offered: nothing in the 200, the first NOTIFY is the framework's", () => {
    const pkg = createRoamingSelfPackage(world().deps);
    const req = request({ headers: ['Supported: ms-benotify'] });
    const res = accept(req);
    assert.equal(pkg.decorateAccept?.(req, res, subscription(pkg, stateOf(pkg, req))), false);
    assert.equal(res.body.length, 0);
    assert.equal(res.hasHeader('Content-Type'), false);
  });
});

describe('readRoamingSelfState', () => {
  test('a well-formed state comes back as the same object (no allocation per NOTIFY)', () => {
    const st: RoamingSelfState = { types: ['categories'], benotify: true, piggyback: true, eventlist: false };
    assert.equal(readRoamingSelfState(st), st);
  });
  test('unknown types are dropped, missing flags read false, garbage reads as the default scope', () => {
    assert.deepEqual(readRoamingSelfState({ types: ['categories', 'x'], benotify: true }), {
      types: ['categories'],
      benotify: true,
      piggyback: false,
      eventlist: false,
    });
    assert.deepEqual(readRoamingSelfState(undefined), {
      types: ['categories'],
      benotify: false,
      piggyback: false,
      eventlist: false,
    });
  });
});
