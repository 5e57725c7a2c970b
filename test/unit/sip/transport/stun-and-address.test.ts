import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isStunBindingRequest, stunBindingResponse } from '../../../../src/sip/transport/stun.js';
import { normalizeAddress, peerKey } from '../../../../src/sip/transport/address.js';
import { ConnectionTable } from '../../../../src/sip/transport/connection-table.js';
import type { Endpoint } from '../../../../src/sip/transport/types.js';

function bindingRequest(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(1, 0);
  b.writeUInt32BE(0x2112a442, 4);
  for (let i = 8; i < 20; i++) b[i] = 0xa0 + i;
  return b;
}

describe('STUN Binding (RFC 5389, RFC 5626 section 8.4)', () => {
  test('recognises only well-formed Binding requests', () => {
    const r = bindingRequest();
    assert.equal(isStunBindingRequest(r), true);
    const badCookie = Buffer.from(r);
    badCookie.writeUInt32BE(1, 4);
    assert.equal(isStunBindingRequest(badCookie), false);
    const indication = Buffer.from(r);
    indication.writeUInt16BE(0x0011, 0);
    assert.equal(isStunBindingRequest(indication), false);
    assert.equal(isStunBindingRequest(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n')), false);
    assert.equal(isStunBindingRequest(r.subarray(0, 19)), false);
  });

  test('IPv6 XOR-MAPPED-ADDRESS uses cookie and transaction id', () => {
    const req = bindingRequest();
    const res = stunBindingResponse(req, '2001:db8::1:2', 40000);
    assert.ok(res !== undefined);
    assert.equal(res.readUInt16BE(22), 20);
    assert.equal(res[25], 0x02);
    assert.equal(res.readUInt16BE(26) ^ 0x2112, 40000);
    const key = Buffer.concat([res.subarray(4, 8), req.subarray(8, 20)]);
    const addr = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) addr[i] = (res[28 + i] as number) ^ (key[i] as number);
    assert.equal(addr.toString('hex'), '20010db8000000000000000000010002');
    assert.equal(stunBindingResponse(req, 'not-an-ip', 1), undefined);
  });
});

describe('address helpers and ConnectionTable', () => {
  test('normalizeAddress', () => {
    assert.equal(normalizeAddress('[::1]'), '::1');
    assert.equal(normalizeAddress('::FFFF:192.0.2.7'), '192.0.2.7');
    assert.equal(normalizeAddress('2001:DB8::1'), '2001:db8::1');
    assert.equal(normalizeAddress('Example.COM'), 'example.com');
    assert.equal(peerKey('[::1]', 5), peerKey('::1', 5));
    assert.notEqual(peerKey('::1', 5), peerKey('::1', 6));
  });

  test('per-IP and total admission, peer index with several connections', () => {
    const t = new ConnectionTable<{ flowId: string; remote: Endpoint; isClosed: boolean; close(): void }>(2, 3);
    assert.equal(t.admit('1.1.1.1'), true);
    assert.equal(t.admit('1.1.1.1'), true);
    assert.equal(t.admit('1.1.1.1'), false);
    assert.equal(t.admit(undefined), true);
    assert.equal(t.admit('2.2.2.2'), false, 'total cap');
    t.release('1.1.1.1');
    assert.equal(t.admit('2.2.2.2'), true);
    const ep: Endpoint = { protocol: 'tcp', address: '1.1.1.1', port: 5060 };
    const a = {
      flowId: 'a',
      remote: ep,
      isClosed: false,
      close() {
        this.isClosed = true;
      },
    };
    const b = {
      flowId: 'b',
      remote: ep,
      isClosed: false,
      close() {
        this.isClosed = true;
      },
    };
    t.add(a);
    t.add(b);
    assert.equal(t.findByPeer('1.1.1.1', 5060), b);
    t.remove(b);
    assert.equal(t.findByPeer('1.1.1.1', 5060), a, 'the older connection takes over');
    t.alias(a, 'host.example', 5070);
    assert.equal(t.findByPeer('HOST.example', 5070), a);
    t.remove(a);
    assert.equal(t.findByPeer('1.1.1.1', 5060), undefined);
    assert.equal(t.findByPeer('host.example', 5070), undefined);
    assert.equal(t.size, 0);
  });
});
