import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MwiForwarder,
  MwiTargetError,
  parseMwiTarget,
  type MwiForwarderDeps,
  type MwiSendHandlers,
} from '../../../src/mwi/mwi-forwarder.js';
import type { MailboxMwi } from '../../../src/mwi/mwi-service.js';
import { SipRequest, createResponse, parseMessage, serializeMessage } from '../../../src/sip/message/index.js';
import { FakeClock } from '../../../src/base/clock.js';
import type { TxDestination } from '../../../src/sip/transaction/index.js';

interface Sent {
  req: SipRequest;
  dest: TxDestination;
  h: MwiSendHandlers;
}

function setup(targets: string[], extra: Partial<MwiForwarderDeps> = {}) {
  const clock = new FakeClock(1_000_000);
  const sent: Sent[] = [];
  const outcomes: string[] = [];
  const fw = new MwiForwarder({
    targets,
    domain: 'example.com',
    clock,
    product: 'openum/9.9.9',
    send: (req, dest, h) => {
      sent.push({ req, dest, h });
    },
    viaFor: (p) => ({ transport: p, host: '192.0.2.1', port: 5099 }),
    onOutcome: (t, o) => outcomes.push(`${t} ${o}`),
    random: () => 0.5,
    ...extra,
  });
  return { clock, sent, outcomes, fw };
}

let version = 0;
function lamp(mailbox: string, n: number, o: number): MailboxMwi {
  return {
    mailbox,
    counts: { new: n, old: o, urgentNew: 0, urgentOld: 0 },
    messagesWaiting: n > 0,
    version: ++version,
    changedAt: 0,
  };
}

function reply(s: Sent, status: number, headers: [string, string][] = []): void {
  const res = createResponse(s.req, status);
  for (const [k, v] of headers) res.addHeader(k, v);
  s.h.onFinal(res);
}

/** The request as it goes on the wire, parsed back. */
function wire(s: Sent): SipRequest {
  const m = parseMessage(serializeMessage(s.req));
  assert.ok(m instanceof SipRequest);
  return m;
}

const T = 'sip:127.0.0.1:5070';
const P = 'sip:127.0.0.1:5070;method=PUBLISH';

describe('parseMwiTarget', () => {
  test('transport, address, port, method (RFC 3263 section 4 without DNS)', () => {
    assert.deepEqual(parseMwiTarget(' sip:127.0.0.1:5070 '), {
      uri: 'sip:127.0.0.1:5070',
      sendUri: 'sip:127.0.0.1:5070',
      method: 'NOTIFY',
      protocol: 'udp',
      host: '127.0.0.1',
      port: 5070,
      isName: false,
    });
    const p = parseMwiTarget('sip:10.0.0.1;transport=TCP;method=publish');
    assert.equal(p.method, 'PUBLISH');
    assert.equal(p.protocol, 'tcp');
    assert.equal(p.port, 5060);
    assert.equal(p.sendUri, 'sip:10.0.0.1;transport=TCP');
    const s = parseMwiTarget('sips:lync.example.com');
    assert.equal(s.protocol, 'tls');
    assert.equal(s.port, 5061);
    assert.equal(s.isName, true);
    assert.equal(parseMwiTarget('sip:[::1]:5070;transport=tls').host, '::1');
    assert.equal(parseMwiTarget('sip:x.example;maddr=192.0.2.9;method=NOTIFY').host, '192.0.2.9');
  });

  for (const [text, code] of [
    ['', 'syntax'],
    ['sip:', 'syntax'],
    ['not a uri', 'syntax'],
    ['http://example.com', 'scheme'],
    ['tel:+15551234', 'scheme'],
    ['sip:alice@example.com', 'user'],
    ['sip:h.example;transport=sctp', 'transport'],
    ['sips:h.example;transport=udp', 'transport'],
    ['sip:h.example;transport=ws', 'transport'],
    ['sip:h.example;method=INVITE', 'method'],
    ['sip:h.example;method', 'method'],
    ['sip:h.example?Subject=x', 'syntax'],
  ] as const) {
    test(`rejects ${JSON.stringify(text)} (${code})`, () => {
      assert.throws(
        () => parseMwiTarget(text),
        (e: unknown) => e instanceof MwiTargetError && e.code === code,
      );
    });
  }

  test('the forwarder throws the same typed error for a bad target or domain', () => {
    assert.throws(() => setup(['sip:bob@h']), MwiTargetError);
    assert.throws(
      () => setup([T], { domain: 'bad domain' }),
      (e: unknown) => e instanceof MwiTargetError && e.code === 'domain',
    );
  });
});

describe('MwiForwarder NOTIFY (Exchange UM shape, PROTOCOLS.md section 3)', () => {
  test('one out-of-dialog NOTIFY per change, R-URI/From/To = the AOR, sent to the target', () => {
    const { fw, sent, outcomes } = setup([T]);
    fw.onLampChange(lamp('alice', 8, 3));
    assert.equal(sent.length, 1);
    const s = sent[0]!;
    assert.deepEqual(s.dest, { protocol: 'udp', address: '127.0.0.1', port: 5070, reliable: false });
    const r = wire(s);
    assert.equal(r.method, 'NOTIFY');
    assert.equal(r.uri.toString(), 'sip:alice@example.com');
    assert.equal(r.from.uri.toString(), 'sip:alice@example.com');
    assert.ok((r.from.params.get('tag') ?? '').length > 0);
    assert.equal(r.to.uri.toString(), 'sip:alice@example.com');
    assert.equal(r.to.params.has('tag'), false);
    assert.equal(r.cseq.method, 'NOTIFY');
    assert.equal(r.getHeader('Event'), 'message-summary');
    assert.equal(r.getHeader('Subscription-State'), 'terminated');
    assert.equal(r.getHeader('User-Agent'), 'openum/9.9.9');
    assert.equal(r.getHeader('Content-Type'), 'application/simple-message-summary');
    assert.equal(r.getHeader('Contact'), '<sip:192.0.2.1:5099>');
    assert.match(r.vias[0]!.params.get('branch') ?? '', /^z9hG4bK/);
    assert.equal(
      r.body.toString(),
      'Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 8/3 (0/0)\r\n',
    );
    reply(s, 200);
    assert.deepEqual(outcomes, [`${T} delivered`]);
    assert.deepEqual(fw.stats()[0], { target: T, slots: 0, queued: 0, inFlight: 0 });
  });

  test('every target gets it, over its transport; duplicates once', () => {
    const { fw, sent } = setup([T, 'sip:127.0.0.1:5071;transport=tcp', 'sip:127.0.0.1:5070']);
    fw.onLampChange(lamp('bob', 0, 2));
    assert.deepEqual(
      sent.map((s) => `${s.dest.protocol}:${s.dest.port}:${String(s.dest.reliable)}`),
      ['udp:5070:false', 'tcp:5071:true'],
    );
    assert.match(sent[1]!.req.body.toString(), /^Messages-Waiting: no\r\n/);
    assert.equal(wire(sent[1]!).getHeader('Contact'), '<sip:192.0.2.1:5099;transport=tcp>');
  });

  test('changes during a send coalesce into one more send with the newest counts', () => {
    const { fw, sent } = setup([T]);
    fw.onLampChange(lamp('alice', 1, 0));
    fw.onLampChange(lamp('alice', 2, 0));
    fw.onLampChange(lamp('alice', 3, 0));
    assert.equal(sent.length, 1);
    reply(sent[0]!, 200);
    assert.equal(sent.length, 2);
    assert.match(sent[1]!.req.body.toString(), /Voice-Message: 3\/0/);
    reply(sent[1]!, 200);
    assert.equal(sent.length, 2);
  });

  test('timeout: exponential back-off, bounded attempts, then a recovery run', () => {
    const { fw, sent, clock, outcomes } = setup([T]);
    fw.onLampChange(lamp('alice', 1, 0));
    const delays = [1000, 2000, 4000, 8000];
    for (const d of delays) {
      sent.at(-1)!.h.onTimeout();
      const before = sent.length;
      clock.advance(d - 1);
      assert.equal(sent.length, before, `nothing before ${d} ms`);
      clock.advance(1);
      assert.equal(sent.length, before + 1, `retry after ${d} ms`);
    }
    sent.at(-1)!.h.onTimeout();
    assert.deepEqual(outcomes.slice(-2), [`${T} timeout`, `${T} gave-up`]);
    assert.equal(outcomes.filter((o) => o.endsWith('timeout')).length, 5);
    clock.advance(299_999);
    assert.equal(sent.length, 5);
    clock.advance(1);
    assert.equal(sent.length, 6, 'recovery run after 5 min');
    reply(sent[5]!, 200);
    assert.equal(clock.pending, 0);
  });

  test('408, 500, 504 and a transport error are retried; 503 waits for Retry-After', () => {
    const { fw, sent, clock, outcomes } = setup([T]);
    fw.onLampChange(lamp('alice', 1, 0));
    reply(sent[0]!, 408);
    clock.advance(1000);
    reply(sent[1]!, 500);
    clock.advance(2000);
    sent[2]!.h.onTransportError(new Error('ECONNREFUSED'));
    clock.advance(4000);
    reply(sent[3]!, 503, [['Retry-After', '20']]);
    clock.advance(19_999);
    assert.equal(sent.length, 4);
    clock.advance(1);
    assert.equal(sent.length, 5);
    reply(sent[4]!, 200);
    assert.deepEqual(
      outcomes.map((o) => o.split(' ')[1]),
      ['timeout', 'unavailable', 'transport-error', 'unavailable', 'delivered'],
    );
  });

  test('a change during back-off waits for it and goes out with the newest counts', () => {
    const { fw, sent, clock } = setup([T]);
    fw.onLampChange(lamp('alice', 1, 0));
    sent[0]!.h.onTimeout();
    fw.onLampChange(lamp('alice', 5, 0));
    assert.equal(sent.length, 1);
    clock.advance(1000);
    assert.equal(sent.length, 2);
    assert.match(sent[1]!.req.body.toString(), /Voice-Message: 5\/0/);
  });

  test('a change after giving up is sent at once', () => {
    const { fw, sent, clock } = setup([T], { maxAttempts: 1 });
    fw.onLampChange(lamp('alice', 1, 0));
    sent[0]!.h.onTimeout();
    clock.advance(10);
    fw.onLampChange(lamp('alice', 2, 0));
    assert.equal(sent.length, 2);
  });

  test('other failures are not retried; a later change is sent', () => {
    const { fw, sent, clock, outcomes } = setup([T]);
    fw.onLampChange(lamp('alice', 1, 0));
    reply(sent[0]!, 404);
    clock.runAll();
    assert.equal(sent.length, 1);
    assert.deepEqual(outcomes, [`${T} rejected`]);
    fw.onLampChange(lamp('alice', 0, 1));
    assert.equal(sent.length, 2);
  });

  test('a send that throws counts as a transport error and never reaches the MWI service', () => {
    const clockOutcomes: string[] = [];
    const { fw, clock } = setup([T], {
      send: () => {
        throw new Error('boom');
      },
      onOutcome: (_t, o) => {
        clockOutcomes.push(o);
        throw new Error('metric broke');
      },
    });
    assert.doesNotThrow(() => fw.onLampChange(lamp('alice', 1, 0)));
    clock.advance(1000);
    assert.deepEqual(clockOutcomes, ['transport-error', 'transport-error']);
  });

  test('the window bounds requests in flight per target', () => {
    const { fw, sent } = setup([T], { maxInFlight: 2 });
    fw.onLampChange(lamp('a', 1, 0));
    fw.onLampChange(lamp('b', 1, 0));
    fw.onLampChange(lamp('c', 1, 0));
    assert.equal(sent.length, 2);
    assert.deepEqual(fw.stats()[0], { target: T, slots: 3, queued: 1, inFlight: 2 });
    reply(sent[1]!, 200);
    assert.equal(sent.length, 3);
    assert.equal(sent[2]!.req.uri.toString(), 'sip:c@example.com');
  });

  test('a mailbox name is escaped in the AOR (RFC 3261 section 25.1)', () => {
    const { fw, sent } = setup([T]);
    fw.onLampChange(lamp('a b<c', 1, 0));
    assert.equal(wire(sent[0]!).uri.toString(), 'sip:a%20b%3Cc@example.com');
  });

  test('stop: no more sends, late answers ignored, no timer left', () => {
    const { fw, sent, clock, outcomes } = setup([T, P]);
    fw.onLampChange(lamp('alice', 1, 0));
    sent[0]!.h.onTimeout();
    reply(sent[1]!, 200, [['SIP-ETag', 'e1']]);
    assert.ok(clock.pending > 0);
    const n = outcomes.length;
    fw.stop();
    assert.equal(clock.pending, 0);
    reply(sent[0]!, 200);
    fw.onLampChange(lamp('alice', 2, 0));
    fw.resync([lamp('bob', 1, 0)]);
    clock.runAll();
    assert.equal(sent.length, 2);
    assert.equal(outcomes.length, n);
  });
});

describe('MwiForwarder PUBLISH (RFC 3903)', () => {
  test('initial, modify with SIP-If-Match, refresh before expiry, 412 starts again', () => {
    const { fw, sent, clock, outcomes } = setup([P]);
    fw.onLampChange(lamp('alice', 1, 0));
    let r = wire(sent[0]!);
    assert.equal(r.method, 'PUBLISH');
    assert.equal(r.uri.toString(), 'sip:alice@example.com');
    assert.equal(r.getHeader('Event'), 'message-summary');
    assert.equal(r.getHeader('Expires'), '3600');
    assert.equal(r.hasHeader('SIP-If-Match'), false);
    assert.equal(r.hasHeader('Subscription-State'), false);
    assert.equal(r.getHeader('Content-Type'), 'application/simple-message-summary');
    assert.match(r.body.toString(), /^Messages-Waiting: yes\r\n/);
    reply(sent[0]!, 200, [
      ['SIP-ETag', 'e1'],
      ['Expires', '3600'],
    ]);

    fw.onLampChange(lamp('alice', 2, 0));
    r = wire(sent[1]!);
    assert.equal(r.getHeader('SIP-If-Match'), 'e1');
    assert.match(r.body.toString(), /Voice-Message: 2\/0/);
    reply(sent[1]!, 200, [
      ['SIP-ETag', 'e2'],
      ['Expires', '3600'],
    ]);

    clock.advance(3_240_000 - 1); // 90 % of the granted 3600 s (random 0.5)
    assert.equal(sent.length, 2);
    clock.advance(1);
    r = wire(sent[2]!);
    assert.equal(r.getHeader('SIP-If-Match'), 'e2');
    assert.equal(r.body.length, 0);
    assert.equal(r.hasHeader('Content-Type'), false);
    reply(sent[2]!, 412);
    r = wire(sent[3]!);
    assert.equal(r.hasHeader('SIP-If-Match'), false);
    assert.match(r.body.toString(), /Voice-Message: 2\/0/);
    reply(sent[3]!, 200, [['SIP-ETag', 'e3']]);
    assert.deepEqual(
      outcomes.map((o) => o.split(' ')[1]),
      ['delivered', 'delivered', 'etag-expired', 'delivered'],
    );
    assert.ok(outcomes[0]!.startsWith(`${P} `), 'labelled with the target as given');
  });

  test('a shorter granted expiry is refreshed sooner; a lapsed entity-tag is not used', () => {
    const { fw, sent, clock } = setup([P], { maxAttempts: 1, recoveryMs: 1_000_000 });
    fw.onLampChange(lamp('alice', 1, 0));
    reply(sent[0]!, 200, [
      ['SIP-ETag', 'e1'],
      ['Expires', '60'],
    ]);
    clock.advance(54_000);
    assert.equal(sent.length, 2);
    assert.equal(wire(sent[1]!).getHeader('SIP-If-Match'), 'e1');
    sent[1]!.h.onTimeout(); // gave up: e1 lapses at 60 s
    clock.advance(10_000);
    fw.onLampChange(lamp('alice', 3, 0));
    const r = wire(sent[2]!);
    assert.equal(r.hasHeader('SIP-If-Match'), false, 'initial PUBLISH, not a modify of a lapsed publication');
    assert.match(r.body.toString(), /Voice-Message: 3\/0/);
  });

  test('a change while a modify is in flight: one more modify with the new entity-tag', () => {
    const { fw, sent } = setup([P]);
    fw.onLampChange(lamp('alice', 1, 0));
    reply(sent[0]!, 200, [['SIP-ETag', 'e1']]);
    fw.onLampChange(lamp('alice', 2, 0));
    fw.onLampChange(lamp('alice', 4, 0));
    reply(sent[1]!, 200, [['SIP-ETag', 'e2']]);
    const r = wire(sent[2]!);
    assert.equal(r.getHeader('SIP-If-Match'), 'e2');
    assert.match(r.body.toString(), /Voice-Message: 4\/0/);
    assert.equal(sent.length, 3);
  });

  test('publications are kept per mailbox and target', () => {
    const { fw, sent } = setup([P, 'sip:127.0.0.1:5072;method=PUBLISH']);
    fw.onLampChange(lamp('alice', 1, 0));
    fw.onLampChange(lamp('bob', 1, 0));
    reply(sent[0]!, 200, [['SIP-ETag', 'a1']]);
    reply(sent[1]!, 200, [['SIP-ETag', 'a2']]);
    reply(sent[2]!, 200, [['SIP-ETag', 'b1']]);
    reply(sent[3]!, 200, [['SIP-ETag', 'b2']]);
    fw.onLampChange(lamp('bob', 0, 1));
    assert.deepEqual(
      sent.slice(4).map((s) => `${s.dest.port} ${s.req.getHeader('SIP-If-Match') ?? '-'}`),
      ['5070 b1', '5072 b2'],
    );
    assert.deepEqual(
      fw.stats().map((s) => s.slots),
      [2, 2],
    );
  });
});

describe('MwiForwarder resync and host names', () => {
  test('resync sends only mailboxes a target has not heard of', () => {
    const { fw, sent } = setup([P]);
    fw.onLampChange(lamp('alice', 1, 0));
    fw.resync([lamp('alice', 9, 9), lamp('bob', 2, 1)]);
    assert.deepEqual(
      sent.map((s) => s.req.uri.toString()),
      ['sip:alice@example.com', 'sip:bob@example.com'],
    );
  });

  test('a host name is resolved, then used; a failed lookup is a retried transport error', async () => {
    let answer: string | undefined = undefined;
    const looked: string[] = [];
    const { fw, sent, clock, outcomes } = setup(['sip:mwi.example.test:5070;transport=tcp'], {
      lookup: (h) => {
        looked.push(h);
        return answer === undefined ? Promise.reject(new Error('ENOTFOUND')) : Promise.resolve(answer);
      },
    });
    fw.onLampChange(lamp('alice', 1, 0));
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 0);
    assert.deepEqual(
      outcomes.map((o) => o.split(' ')[1]),
      ['transport-error'],
    );
    answer = '192.0.2.77';
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.dest, { protocol: 'tcp', address: '192.0.2.77', port: 5070, reliable: true });
    assert.equal(sent[0]!.req.uri.toString(), 'sip:alice@example.com');
    reply(sent[0]!, 200);
    fw.onLampChange(lamp('alice', 2, 0));
    assert.equal(sent.length, 2, 'the address is reused without a lookup');
    assert.deepEqual(looked, ['mwi.example.test', 'mwi.example.test']);
  });
});
