import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildChallenge,
  challengeFlags,
  fileTime,
  NtlmFlags,
  ntlmNamesFor,
  parseAuthenticate,
  parseNegotiate,
} from '../../../../src/http/auth/ntlm-messages.js';
import { verifyNtlmv2 } from '../../../../src/http/auth/ntlm-verify.js';
import { AUTHENTICATE_MESSAGE, NT_HASH, NT_PROOF_STR, SERVER_CHALLENGE } from './ms-nlmp-vectors.js';
import { CLIENT_FLAGS, negotiateMessage, readChallenge } from './ntlm-test-client.js';

describe('parseAuthenticate', () => {
  test('the [MS-NLMP] 4.2.4.3 AUTHENTICATE_MESSAGE: names, responses, and it verifies', () => {
    const m = parseAuthenticate(AUTHENTICATE_MESSAGE);
    assert.ok(m.ok, m.ok ? '' : m.error);
    assert.equal(m.value.user, 'User');
    assert.equal(m.value.domain, 'Domain');
    assert.equal(m.value.workstation, 'COMPUTER');
    assert.equal(m.value.lmResponse.length, 24);
    assert.equal(m.value.ntResponse.length, 84);
    assert.equal(m.value.ntResponse.subarray(0, 16).toString('hex'), NT_PROOF_STR);
    assert.deepEqual(verifyNtlmv2(m.value, SERVER_CHALLENGE, NT_HASH), { ok: true });
  });

  test('every truncation of it is an error value, not a throw', () => {
    for (let n = 0; n < AUTHENTICATE_MESSAGE.length; n++) {
      const r = parseAuthenticate(AUTHENTICATE_MESSAGE.subarray(0, n));
      assert.equal(r.ok, false, `${n} bytes`);
    }
  });

  test('an offset or a length pointing outside, an odd UTF-16 length, another type', () => {
    const bad = (edit: (b: Buffer) => void): string => {
      const b = Buffer.from(AUTHENTICATE_MESSAGE);
      edit(b);
      const r = parseAuthenticate(b);
      assert.equal(r.ok, false);
      return r.ok ? '' : r.error;
    };
    assert.match(
      bad((b) => b.writeUInt32LE(0xffffffff, 24)),
      /NtChallengeResponse/,
    );
    assert.match(
      bad((b) => b.writeUInt16LE(0xffff, 36)),
      /UserName/,
    );
    assert.match(
      bad((b) => b.writeUInt16LE(7, 28)),
      /odd length/,
    );
    assert.match(
      bad((b) => b.writeUInt32LE(1, 8)),
      /not an NTLM AUTHENTICATE/,
    );
    assert.match(
      bad((b) => b.write('NTLMSSQ', 0, 'latin1')),
      /not an NTLM AUTHENTICATE/,
    );
  });

  test('an empty field may carry any offset', () => {
    const b = Buffer.from(AUTHENTICATE_MESSAGE);
    b.writeUInt16LE(0, 44); // Workstation: no bytes
    b.writeUInt32LE(0xffffffff, 48);
    const r = parseAuthenticate(b);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.workstation, '');
  });

  test('OEM strings when NEGOTIATE_UNICODE is off', () => {
    const head = Buffer.alloc(64);
    head.write('NTLMSSP\0', 0, 'latin1');
    head.writeUInt32LE(3, 8);
    head.writeUInt16LE(5, 36);
    head.writeUInt32LE(64, 40);
    head.writeUInt32LE(NtlmFlags.OEM, 60);
    const r = parseAuthenticate(Buffer.concat([head, Buffer.from('alice', 'latin1')]));
    assert.ok(r.ok);
    assert.equal(r.value.user, 'alice');
    assert.equal(r.value.domain, '');
  });

  test('never throws on arbitrary bytes behind a valid signature (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 3 }), (tail, type) => {
        const head = Buffer.alloc(12);
        head.write('NTLMSSP\0', 0, 'latin1');
        head.writeUInt32LE(type, 8);
        const msg = Buffer.concat([head, Buffer.from(tail)]);
        parseAuthenticate(msg);
        parseNegotiate(msg);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseNegotiate', () => {
  test('flags, and the OEM domain and workstation when supplied', () => {
    const r = parseNegotiate(negotiateMessage(CLIENT_FLAGS, 'EXAMPLE', 'PHONE1'));
    assert.ok(r.ok);
    assert.equal(r.value.flags & NtlmFlags.UNICODE, NtlmFlags.UNICODE);
    assert.equal(r.value.domain, 'EXAMPLE');
    assert.equal(r.value.workstation, 'PHONE1');
    const bare = parseNegotiate(negotiateMessage().subarray(0, 16));
    assert.ok(bare.ok);
    assert.equal(bare.value.domain, null);
  });

  test('a supplied domain beyond the message, too short, garbage', () => {
    const m = negotiateMessage(CLIENT_FLAGS, 'EXAMPLE');
    assert.equal(parseNegotiate(m.subarray(0, m.length - 1)).ok, false);
    assert.equal(parseNegotiate(m.subarray(0, 14)).ok, false);
    assert.equal(parseNegotiate(Buffer.from('hello world, not NTLM')).ok, false);
  });
});

describe('buildChallenge', () => {
  const names = ntlmNamesFor('example.com');
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);

  test('layout of [MS-NLMP] 2.2.1.2 with the TargetInfo AV pairs of 2.2.2.1', () => {
    const msg = buildChallenge({ negotiatedFlags: CLIENT_FLAGS, serverChallenge: SERVER_CHALLENGE, names, now });
    const c = readChallenge(msg);
    assert.deepEqual(c.serverChallenge, SERVER_CHALLENGE);
    assert.equal(c.targetName.toString('utf16le'), 'EXAMPLE');
    assert.equal(c.av.get(2)?.toString('utf16le'), 'EXAMPLE');
    assert.equal(c.av.get(1)?.toString('utf16le'), 'OPENUM');
    assert.equal(c.av.get(4)?.toString('utf16le'), 'example.com');
    assert.equal(c.av.get(3)?.toString('utf16le'), 'openum.example.com');
    assert.deepEqual(c.av.get(7), fileTime(now));
    assert.deepEqual(c.av.get(0), Buffer.alloc(0));
    assert.deepEqual([...c.av.keys()], [2, 1, 4, 3, 7, 0]);
    for (const f of ['UNICODE', 'NTLM', 'REQUEST_TARGET', 'TARGET_TYPE_DOMAIN', 'TARGET_INFO', 'VERSION'] as const) {
      assert.equal(c.flags & NtlmFlags[f], NtlmFlags[f], f);
    }
    assert.equal(c.flags & NtlmFlags.EXTENDED_SESSIONSECURITY, NtlmFlags.EXTENDED_SESSIONSECURITY);
    assert.equal(msg[55], 0x0f, 'NTLMSSP_REVISION_W2K3');
  });

  test('OEM TargetName and no Version or ESS when the client did not ask', () => {
    const msg = buildChallenge({ negotiatedFlags: NtlmFlags.OEM, serverChallenge: SERVER_CHALLENGE, names, now });
    const c = readChallenge(msg);
    assert.equal(c.targetName.toString('latin1'), 'EXAMPLE');
    assert.equal(c.flags & (NtlmFlags.UNICODE | NtlmFlags.VERSION | NtlmFlags.EXTENDED_SESSIONSECURITY), 0);
    assert.equal(c.flags & NtlmFlags.OEM, NtlmFlags.OEM);
    assert.deepEqual(msg.subarray(48, 56), Buffer.alloc(8));
    assert.ok(c.av.get(2), 'TargetInfo even then');
  });

  test('challengeFlags never offers signing, sealing or key exchange', () => {
    assert.equal(challengeFlags(0xffffffff) & (0x10 | 0x20 | 0x40000000), 0);
  });

  test('fileTime counts 100 ns from 1601', () => {
    assert.equal(fileTime(0).readBigUInt64LE(), 116444736000000000n);
  });

  test('ntlmNamesFor cuts the NetBIOS names to 15 characters and keeps a given FQDN', () => {
    const n = ntlmNamesFor('averyveryverylongdomain.example', 'vm1.host.example');
    assert.equal(n.netbiosDomain, 'AVERYVERYVERYLO');
    assert.equal(n.netbiosComputer, 'VM1');
    assert.equal(n.dnsComputer, 'vm1.host.example');
  });
});
