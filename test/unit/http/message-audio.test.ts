import assert from 'node:assert/strict';
import { unlink } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';
import { alice, bob, messagesApp, wav } from './fake-messages.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('http-audio');
});
after(async () => {
  await removeTempDir(dir);
});

const AUDIO = wav(1000 - 44);
const SIZE = AUDIO.length;

async function withAudio() {
  const s = messagesApp(dir);
  const m = await s.messages.add('alice', Date.UTC(2024, 0, 1), AUDIO);
  const get = (headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    s.app.inject({ method, url: `/api/v1/messages/${m.id}/audio`, headers: { ...alice, ...headers } });
  return { ...s, m, get };
}

describe('GET /api/v1/messages/ID/audio (RFC 9110 ranges)', () => {
  test('the whole file: 200, audio/wav, Accept-Ranges, length, ETag', async () => {
    const { get, m } = await withAudio();
    const r = await get();
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'audio/wav');
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.equal(r.headers['content-length'], String(SIZE));
    assert.equal(r.headers['content-disposition'], `inline; filename="${m.id}.wav"`);
    assert.match(String(r.headers.etag), /^"[0-9a-z]+-[0-9a-z]+"$/);
    assert.equal(r.headers['content-range'], undefined);
    assert.deepEqual(r.rawPayload, AUDIO);
  });

  test('206 for one range: first bytes, suffix, open-ended, past the end', async () => {
    const { get } = await withAudio();
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=-100', SIZE - 100, SIZE - 1],
      ['bytes=900-', 900, SIZE - 1],
      ['bytes=990-5000', 990, SIZE - 1],
      ['bytes=-5000', 0, SIZE - 1],
      ['bytes=44-44', 44, 44],
    ];
    for (const [range, start, end] of cases) {
      const r = await get({ range });
      assert.equal(r.statusCode, 206, range);
      assert.equal(r.headers['content-range'], `bytes ${start}-${end}/${SIZE}`, range);
      assert.equal(r.headers['content-length'], String(end - start + 1), range);
      assert.equal(r.headers['content-type'], 'audio/wav');
      assert.deepEqual(r.rawPayload, AUDIO.subarray(start, end + 1), range);
    }
  });

  test('416 with Content-Range: bytes */SIZE when unsatisfiable', async () => {
    const { get } = await withAudio();
    for (const range of [`bytes=${SIZE}-`, 'bytes=5000-6000', 'bytes=-0']) {
      const r = await get({ range });
      assert.equal(r.statusCode, 416, range);
      assert.equal(r.headers['content-range'], `bytes */${SIZE}`);
      assert.equal(r.json().error.code, 'range_not_satisfiable');
    }
  });

  test('several, invalid or foreign ranges get the whole file with 200', async () => {
    const { get } = await withAudio();
    for (const range of ['bytes=0-1,5-6', 'bytes=5-2', 'items=0-5', 'bytes=x']) {
      const r = await get({ range });
      assert.equal(r.statusCode, 200, range);
      assert.equal(r.rawPayload.length, SIZE);
    }
  });

  test('If-Range: the current ETag keeps the range, another validator gets the whole file', async () => {
    const { get } = await withAudio();
    const etag = String((await get()).headers.etag);
    let r = await get({ range: 'bytes=0-9', 'if-range': etag });
    assert.equal(r.statusCode, 206);
    r = await get({ range: 'bytes=0-9', 'if-range': '"other"' });
    assert.equal(r.statusCode, 200);
    r = await get({ range: 'bytes=0-9', 'if-range': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    assert.equal(r.statusCode, 200);
  });

  test('HEAD: the same headers, no body', async () => {
    const { get } = await withAudio();
    let r = await get({}, 'HEAD');
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-length'], String(SIZE));
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.equal(r.headers['content-type'], 'audio/wav');
    assert.equal(r.rawPayload.length, 0);
    r = await get({ range: 'bytes=-10' }, 'HEAD');
    assert.equal(r.statusCode, 206);
    assert.equal(r.headers['content-range'], `bytes ${SIZE - 10}-${SIZE - 1}/${SIZE}`);
    assert.equal(r.headers['content-length'], '10');
    assert.equal(r.rawPayload.length, 0);
  });

  test("404 when the file is gone, the message is unknown, or it is another user's", async () => {
    const { get, m, app } = await withAudio();
    await unlink(m.path);
    const r = await get();
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error.code, 'not_found');
    const other = await app.inject({ method: 'GET', url: `/api/v1/messages/${m.id}/audio`, headers: bob });
    assert.equal(other.statusCode, 404);
    const none = await app.inject({ method: 'GET', url: '/api/v1/messages/nope/audio', headers: alice });
    assert.equal(none.statusCode, 404);
  });
});
