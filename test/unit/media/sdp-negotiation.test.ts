import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'sdp-transform';
import { answerOffer, createOffer, readAnswer, SdpError } from '../../../src/media/sdp-negotiation.js';

const LOCAL = { address: '127.0.0.1', port: 10000, sessionId: 42, sessionVersion: 1 };

/** SDP lines joined with CRLF (RFC 4566 section 5). */
const sdp = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;
const HEAD = ['v=0', 'o=user1 53655765 2353687637 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];

function refusal(f: () => unknown): SdpError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SdpError, String(e));
    return e;
  }
  assert.fail('no SdpError');
}

describe('SDP offer/answer (RFC 3264) for one G.711 audio stream', () => {
  test("SIPp's offer (PCMA, telephone-event 101, ptime 30): PCMA, DTMF at 101, 30 ms, the peer's address", () => {
    const { answer, audio } = answerOffer(
      sdp(
        ...HEAD,
        'm=audio 6000 RTP/AVP 8 101',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-11,16',
        'a=ptime:30',
      ),
      LOCAL,
    );
    assert.deepEqual(audio, {
      law: 'PCMA',
      payloadType: 8,
      dtmfPayloadType: 101,
      ptimeMs: 30,
      remote: { address: '127.0.0.1', port: 6000 },
      remoteRtcpPort: 6001,
      rtcpMux: false,
      direction: 'sendrecv',
    });
    const a = parse(answer);
    assert.equal(a.media.length, 1);
    assert.equal(a.media[0]!.port, 10000);
    assert.equal(a.media[0]!.payloads, '8 101');
    assert.equal(a.connection?.ip, '127.0.0.1');
    assert.equal(a.media[0]!.ptime, 30);
  });

  test("the offer's order wins; telephone-event at any payload type; static types without rtpmap; CN tolerated", () => {
    const { audio } = answerOffer(
      sdp(...HEAD, 'm=audio 6000 RTP/AVP 18 0 8 13 96', 'a=rtpmap:18 G729/8000', 'a=rtpmap:96 telephone-event/8000'),
      LOCAL,
    );
    assert.equal(audio.law, 'PCMU');
    assert.equal(audio.dtmfPayloadType, 96);
    assert.equal(audio.ptimeMs, 20);
  });

  test('hold: c=0.0.0.0 or sendonly leaves us no address or a receive-only direction (RFC 3264 section 8.4)', () => {
    const held = answerOffer(
      sdp('v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 6000 RTP/AVP 0'),
      LOCAL,
    );
    assert.equal(held.audio.remote, undefined);
    const sendonly = answerOffer(sdp(...HEAD, 'm=audio 6000 RTP/AVP 0', 'a=sendonly'), LOCAL);
    assert.equal(sendonly.audio.direction, 'recvonly');
    assert.equal(parse(sendonly.answer).media[0]!.direction, 'recvonly');
  });

  test('video and a second audio stream are refused with port 0, keeping the m= line count', () => {
    const { answer } = answerOffer(
      sdp(
        ...HEAD,
        'm=video 7000 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'm=audio 6000 RTP/AVP 8',
        'm=audio 6002 RTP/AVP 0',
      ),
      LOCAL,
    );
    assert.deepEqual(
      parse(answer).media.map((m) => [m.type, m.port]),
      [
        ['video', 0],
        ['audio', 10000],
        ['audio', 0],
      ],
    );
  });

  test('rtcp-mux is kept when offered (RFC 5761)', () => {
    const { audio, answer } = answerOffer(sdp(...HEAD, 'm=audio 6000 RTP/AVP 0', 'a=rtcp-mux'), LOCAL);
    assert.equal(audio.rtcpMux, true);
    assert.equal(audio.remoteRtcpPort, 6000);
    assert.match(answer, /a=rtcp-mux/);
  });

  test('no common codec -> 488; malformed -> 400 with the reason', () => {
    assert.equal(
      refusal(() => answerOffer(sdp(...HEAD, 'm=audio 6000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'), LOCAL)).status,
      488,
    );
    assert.equal(refusal(() => answerOffer(sdp(...HEAD, 'm=audio 6000 RTP/SAVP 0'), LOCAL)).status, 488);
    assert.equal(refusal(() => answerOffer(sdp(...HEAD), LOCAL)).status, 400);
    assert.equal(refusal(() => answerOffer('hello', LOCAL)).status, 400);
    const noC = refusal(() =>
      answerOffer(sdp('v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 6000 RTP/AVP 0'), LOCAL),
    );
    assert.equal(noC.status, 400);
    assert.match(noC.message, /no c= line/);
  });

  test('our own offer (INVITE without SDP) and the answer in the ACK', () => {
    const offer = parse(createOffer(LOCAL));
    assert.equal(offer.media[0]!.payloads, '0 8 101');
    const audio = readAnswer(sdp(...HEAD, 'm=audio 6000 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000'));
    assert.equal(audio.law, 'PCMA');
    assert.equal(audio.dtmfPayloadType, 101);
  });
});
