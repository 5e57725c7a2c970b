/**
 * Bad input never hurts the server: any bytes handed to the whole SIP
 * service (parser, UA core, transactions, registrar, MWI) give a response
 * with a valid status line, one that parses whenever the input did, or
 * nothing; never an exception.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createSipService } from '../../../src/app/sip-service.js';
import { addUser } from '../../../src/app/user-commands.js';
import { parseMessage, SipParseError, SipResponse } from '../../../src/sip/message/index.js';
import { FakeClock } from '../../../src/base/clock.js';
import { TransportLayer, type InboundData } from '../../../src/sip/transport/index.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { conformanceFiles, conformanceMessage } from './message/conformance-data.js';

const seeds = conformanceFiles('rfc4475').map((f) => conformanceMessage('rfc4475', f));
const typical = [
  'REGISTER sip:localhost SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK-1;rport\r\nMax-Forwards: 70\r\nFrom: <sip:alice@localhost>;tag=1\r\nTo: <sip:alice@localhost>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@10.0.0.2:5062>\r\nContent-Length: 0\r\n\r\n',
  'SUBSCRIBE sip:alice@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK-2\r\nMax-Forwards: 70\r\nFrom: <sip:alice@localhost>;tag=2\r\nTo: <sip:alice@localhost>\r\nCall-ID: c2\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:alice@10.0.0.9>\r\nEvent: vnd-microsoft-roaming-self\r\nContent-Type: application/vnd-microsoft-roaming-self+xml\r\nContent-Length: 30\r\n\r\n<roamingList><roaming/></roam>',
  'NOTIFY sip:alice@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-3\r\nMax-Forwards: 70\r\nFrom: <sip:alice@localhost>;tag=3\r\nTo: <sip:alice@localhost>\r\nCall-ID: c3\r\nCSeq: 1 NOTIFY\r\nEvent: message-summary\r\nContent-Type: application/simple-message-summary\r\nContent-Length: 44\r\n\r\nMessages-Waiting: yes\r\nVoice-Message: 8/3\r\n',
  'PUBLISH sip:alice@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-4\r\nMax-Forwards: 70\r\nFrom: <sip:alice@localhost>;tag=4\r\nTo: <sip:alice@localhost>\r\nCall-ID: c4\r\nCSeq: 1 PUBLISH\r\nEvent: message-summary\r\nSIP-If-Match: nope\r\nContent-Length: 0\r\n\r\n',
].map((s) => Buffer.from(s));

function service() {
  const storage = new SqliteStorage(':memory:');
  addUser(storage, { name: 'alice', password: 'secret', domain: 'localhost' });
  const out: Buffer[] = [];
  const transports = new TransportLayer();
  transports.send = async (_dest, data) => {
    out.push(Buffer.from(data));
  };
  const clock = new FakeClock(1_700_000_000_000);
  const svc = createSipService({
    storage,
    domain: 'localhost',
    digestSecret: Buffer.alloc(32, 9),
    transports,
    clock,
    trust: ['10.0.0.9/32'],
  });
  svc.start();
  return { svc, out, clock };
}

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds, ...typical),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    fc.option(fc.nat()),
  )
  .map(([base, edits, cut]) => {
    const b = Buffer.from(base);
    for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
    return cut === null ? b : b.subarray(0, cut % (b.length + 1));
  });

describe('the whole SIP service under arbitrary input', () => {
  test('random bytes and mutated real messages: no exception, every answer parses as a response', async () => {
    const { svc, out, clock } = service();
    let answersToParsed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
          mutated,
        ),
        fc.constantFrom('udp', 'tcp'),
        async (data, protocol) => {
          const d: InboundData = {
            data,
            source: { protocol, address: '10.0.0.9', port: 5062 },
            local: { protocol, address: '127.0.0.1', port: 5060 },
            ...(protocol === 'tcp' && { flowId: 'f1' }),
          };
          const inputParses = (() => {
            try {
              parseMessage(data);
              return true;
            } catch {
              return false;
            }
          })();
          svc.core.receive(d);
          await new Promise((r) => setImmediate(r));
          clock.advance(1000);
          for (const bytes of out.splice(0)) {
            if (!bytes.subarray(0, 8).equals(Buffer.from('SIP/2.0 '))) continue; // requests we send (NOTIFYs) are not answers
            assert.match(bytes.toString('latin1', 0, 16), /^SIP\/2\.0 [1-6]\d\d /);
            const shown = JSON.stringify(bytes.toString('latin1'));
            let m;
            try {
              m = parseMessage(bytes);
            } catch (e) {
              assert.ok(e instanceof SipParseError, `answer fails to parse with ${String(e)}: ${shown}`);
              // Only the stateless answer to input that did not parse may echo a header it could not parse.
              assert.ok(!inputParses, `answer to input that parses does not parse (${String(e)}): ${shown}`);
              continue;
            }
            assert.ok(m instanceof SipResponse, `answer parses as a ${m.constructor.name}: ${shown}`);
            if (inputParses) answersToParsed++;
          }
        },
      ),
      { numRuns: 1500, includeErrorInReport: true },
    );
    svc.stop();
    svc.core.close();
    // A parser that refuses everything (every answer stateless, or none at all) fails here.
    assert.ok(answersToParsed > 0, 'no input parsed and got an answer');
  });
});
