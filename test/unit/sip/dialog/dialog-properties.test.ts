import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNameAddr } from '../../../../src/sip/message/index.js';
import {
  checkInDialogRequest,
  createInDialogRequest,
  makeDialogState,
  restoreDialogState,
} from '../../../../src/sip/dialog/index.js';
import { VIA, request, wire } from './fixtures.js';

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const hostArb = fc.oneof(
  fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example`),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `192.0.${a}.${b}`),
);
const portArb = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const routeArb = fc.record({
  host: hostArb,
  port: portArb,
  lr: fc.boolean(),
  transport: fc.constantFrom('', ';transport=tcp'),
});
const targetArb = fc.record({ user: label, host: hostArb, port: portArb });

function routeText(r: { host: string; port: number | undefined; lr: boolean; transport: string }): string {
  return `<sip:${r.host}${r.port === undefined ? '' : ':' + r.port}${r.transport}${r.lr ? ';lr' : ''}>`;
}

describe('dialog properties', () => {
  test('loose or strict, Request-URI and Route together visit the route set then the remote target (RFC 3261 12.2.1.1)', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 5 }), targetArb, (routes, t) => {
        const routeSet = routes.map(routeText);
        const target = `sip:${t.user}@${t.host}${t.port === undefined ? '' : ':' + t.port}`;
        const d = makeDialogState(
          'c',
          'l',
          'r',
          '<sip:a@example.com>',
          '<sip:b@example.com>',
          0,
          -1,
          target,
          routeSet,
          false,
        );
        const { request: req, destinationUri } = createInDialogRequest(d, 'NOTIFY', { via: VIA });
        const got = wire(req);
        const ruri = got.uri.toString();
        const routeUris = got.getHeaderList('Route').map((v) => parseNameAddr(v).uri.toString());
        const strict = routes.length > 0 && !routes[0]?.lr;
        const path = strict ? [ruri, ...routeUris] : [...routeUris, ruri];
        const expected = [...routeSet.map((v) => parseNameAddr(v).uri.toString()), target];
        assert.deepEqual(path, expected);
        assert.equal(destinationUri, path[0]);
        assert.deepEqual(d.routeSet, routeSet, 'the dialog route set is not modified');
      }),
      { numRuns: 300 },
    );
  });

  test('our CSeq rises by exactly one per request, also across persist/restore', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        (start, restores) => {
          let d = makeDialogState(
            'c',
            'l',
            'r',
            '<sip:a@example.com>',
            '<sip:b@example.com>',
            start,
            -1,
            'sip:b@192.0.2.1',
            [],
            false,
          );
          let expected = start;
          for (const restore of restores) {
            if (restore) d = restoreDialogState(JSON.parse(JSON.stringify(d)));
            const seq = createInDialogRequest(d, 'NOTIFY', { via: VIA }).request.cseq.seq;
            expected++;
            assert.equal(seq, expected);
            assert.equal(d.localSeq, expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a request is accepted exactly when its CSeq is not below every CSeq accepted before (RFC 3261 12.2.2)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 30 }), (seqs) => {
        const d = makeDialogState(
          'c',
          'l',
          'r',
          '<sip:a@example.com>',
          '<sip:b@example.com>',
          0,
          -1,
          'sip:b@192.0.2.1',
          [],
          false,
        );
        let max = -1;
        for (const seq of seqs) {
          const req = request([
            'MESSAGE sip:a@192.0.2.5 SIP/2.0',
            'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK' + seq,
            'From: <sip:b@example.com>;tag=r',
            'To: <sip:a@example.com>;tag=l',
            'Call-ID: c',
            `CSeq: ${seq} MESSAGE`,
          ]);
          const verdict = checkInDialogRequest(d, req);
          assert.equal(verdict, seq >= max ? 'ok' : 'out-of-order');
          if (seq >= max) max = seq;
          assert.equal(d.remoteSeq, max);
        }
      }),
      { numRuns: 200 },
    );
  });
});
