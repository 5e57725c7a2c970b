import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { g711Decode, g711DecodeTable, g711Encode, g711EncodeTable, G711_SILENCE } from '../../../src/media/g711.js';

const sha256 = (b: ArrayBufferView): string =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex');

/**
 * The oracle: CPython's audioop (Sun's reference g711.c) over every 16-bit
 * sample and every code, little-endian, hashed:
 * `hashlib.sha256(audioop.lin2ulaw(struct.pack('<65536h', *range(-32768, 32768)), 2)).hexdigest()`
 * and the same with lin2alaw, ulaw2lin(bytes(range(256)), 2), alaw2lin(...).
 */
const ORACLE = {
  encodePCMU: '81d633c9e6972a18c74a58720b96cb8ca0bdd096d4060b646dd708c3b846019a',
  encodePCMA: '38488f6fd710f4686360edc4d38639f96c491595ef93f8eb8d62d5e07ca6ce7b',
  decodePCMU: '3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827',
  decodePCMA: 'e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174',
};

describe('G.711 (ITU-T G.711, RFC 3551 section 4.5.14)', () => {
  test('every code and every 16-bit sample match the reference implementation', () => {
    assert.equal(sha256(g711EncodeTable('PCMU')), ORACLE.encodePCMU);
    assert.equal(sha256(g711EncodeTable('PCMA')), ORACLE.encodePCMA);
    assert.equal(sha256(g711DecodeTable('PCMU')), ORACLE.decodePCMU);
    assert.equal(sha256(g711DecodeTable('PCMA')), ORACLE.decodePCMA);
  });

  test('known values: silence, the extremes', () => {
    assert.equal(g711DecodeTable('PCMU')[G711_SILENCE.PCMU], 0);
    assert.equal(g711DecodeTable('PCMA')[G711_SILENCE.PCMA], 8);
    assert.equal(g711DecodeTable('PCMU')[0x80], 32124);
    assert.equal(g711DecodeTable('PCMU')[0x00], -32124);
    assert.equal(g711DecodeTable('PCMA')[0xaa], 32256);
    assert.equal(g711DecodeTable('PCMA')[0x2a], -32256);
  });

  test("decode then encode gives the code back (for both laws, every code but mu-law's negative zero)", () => {
    for (const law of ['PCMU', 'PCMA'] as const) {
      const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const lin = new Int16Array(256);
      g711Decode(law, codes, lin);
      const back = new Uint8Array(256);
      g711Encode(law, lin, back);
      for (let c = 0; c < 256; c++) {
        if (law === 'PCMU' && c === 0x7f) continue; // -0 and +0 decode alike; +0 (0xff) comes back
        assert.equal(back[c], c, `${law} code 0x${c.toString(16)}`);
      }
    }
  });
});
