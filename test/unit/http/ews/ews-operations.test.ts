/**
 * The EWS operations on a fake message store: paging and order of FindItem,
 * a stale ChangeKey is ErrorIrresolvableConflict (AlwaysOverwrite wins), an
 * id that is not the caller's is ErrorItemNotFound, only IsRead may change,
 * PropertyTag in decimal and hex, and what cannot run is an EwsRequestError.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseXmlTree } from '../../../../src/base/xml/xml-tree.js';
import type { MessageInfo } from '../../../../src/http/message-api.js';
import { changeKey, itemId } from '../../../../src/http/ews/ews-ids.js';
import { parsePropertyTag } from '../../../../src/http/ews/ews-item.js';
import { EwsRequestError, runEwsOperation, type EwsMessages } from '../../../../src/http/ews/ews-operations.js';

const M = 'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"';
const T = 'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"';

function store(n: number, mailbox = 'ann'): EwsMessages & { rows: MessageInfo[] } {
  const rows: MessageInfo[] = Array.from({ length: n }, (_, i) => ({
    id: `msg${i}`,
    mailbox,
    from: `55500${i}`,
    fromName: null,
    receivedAt: Date.UTC(2026, 0, 1, 12, 0, n - i), // msg0 newest
    durationMs: 1000 * (i + 1),
    urgent: i === 0,
    read: false,
    reason: null,
    origin: 'call',
  }));
  rows.push({ ...rows[0]!, id: 'other', mailbox: 'bob' });
  return {
    rows,
    list: async (box) => rows.filter((r) => r.mailbox === box),
    get: async (id) => rows.find((r) => r.id === id),
    setRead: async (id, read) => {
      const r = rows.find((x) => x.id === id);
      if (r) r.read = read;
      return r;
    },
    remove: async (id) => {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) rows.splice(i, 1);
      return i >= 0;
    },
    audioPath: async () => undefined,
  };
}

const op = (xml: string) => parseXmlTree(xml, 100_000);

describe('EWS operations ([MS-OXWSCORE], [MS-OXWSSRCH])', () => {
  test('FindItem pages with IndexedPageItemView, newest first, Ascending reverses', async () => {
    const s = store(5);
    const find = (view: string, order = 'Descending') =>
      runEwsOperation(
        op(
          `<m:FindItem ${M} ${T} Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>${view}` +
            `<m:SortOrder><t:FieldOrder Order="${order}"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>` +
            `<m:ParentFolderIds><t:DistinguishedFolderId Id="voicemail"/></m:ParentFolderIds></m:FindItem>`,
        ),
        'ann',
        s,
      );
    const ids = (xml: string) =>
      [...xml.matchAll(/<t:ItemId Id="([^"]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString().split(':')[1]);
    let r = await find('<m:IndexedPageItemView MaxEntriesReturned="2" Offset="1" BasePoint="Beginning"/>');
    assert.deepEqual(ids(r), ['msg1', 'msg2']);
    assert.match(r, /TotalItemsInView="5" IncludesLastItemInRange="false"/);
    r = await find('<m:IndexedPageItemView MaxEntriesReturned="10" Offset="3" BasePoint="Beginning"/>');
    assert.deepEqual(ids(r), ['msg3', 'msg4']);
    assert.match(r, /IncludesLastItemInRange="true"/);
    r = await find('<m:IndexedPageItemView MaxEntriesReturned="2" Offset="0" BasePoint="Beginning"/>', 'Ascending');
    assert.deepEqual(ids(r), ['msg4', 'msg3']);
    await assert.rejects(find('<m:IndexedPageItemView MaxEntriesReturned="-1" Offset="0"/>'), EwsRequestError);
  });

  test('UpdateItem: a stale ChangeKey conflicts unless AlwaysOverwrite; only IsRead; a new ChangeKey comes back', async () => {
    const s = store(1);
    const update = (key: string, mode: string, field = 'message:IsRead', value = 'true') =>
      runEwsOperation(
        op(
          `<m:UpdateItem ${M} ${T} ConflictResolution="${mode}" MessageDisposition="SaveOnly"><m:ItemChanges><t:ItemChange>` +
            `<t:ItemId Id="${itemId('msg0')}" ChangeKey="${key}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="${field}"/>` +
            `<t:Message><t:IsRead>${value}</t:IsRead></t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
        ),
        'ann',
        s,
      );
    const fresh = changeKey('msg0', false);
    let r = await update('stale', 'AutoResolve');
    assert.match(r, /ErrorIrresolvableConflict/);
    assert.equal(s.rows[0]!.read, false);
    r = await update(fresh, 'AutoResolve', 'item:Subject');
    assert.match(r, /ErrorInvalidPropertySet/);
    r = await update(fresh, 'AutoResolve', 'message:IsRead', 'maybe');
    assert.match(r, /is not a boolean/);
    r = await update(fresh, 'AutoResolve');
    assert.match(r, /ResponseClass="Success"/);
    assert.equal(s.rows[0]!.read, true);
    assert.ok(r.includes(`ChangeKey="${changeKey('msg0', true)}"`), 'the new ChangeKey');
    r = await update(fresh, 'AlwaysOverwrite', 'message:IsRead', '0');
    assert.match(r, /ResponseClass="Success"/);
    assert.equal(s.rows[0]!.read, false);
  });

  test("another user's item and a garbage id are ErrorItemNotFound, per item; the others still run", async () => {
    const s = store(2);
    const r = await runEwsOperation(
      op(
        `<m:GetItem ${M} ${T}><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ItemIds>` +
          `<t:ItemId Id="${itemId('other')}"/><t:ItemId Id="!!"/><t:ItemId Id="${itemId('msg1')}"/></m:ItemIds></m:GetItem>`,
      ),
      'ann',
      s,
    );
    assert.equal((r.match(/ErrorItemNotFound/g) ?? []).length, 2);
    assert.equal((r.match(/ResponseClass="Success"/g) ?? []).length, 1);
    assert.match(r, /<t:FileAttachment>/, 'GetItem lists the attachment');
  });

  test('PropertyTag in decimal (ews-javascript-api) and hex (exchangelib); nonsense is ignored', () => {
    assert.equal(parsePropertyTag('26625'), 0x6801);
    assert.equal(parsePropertyTag('0x6801'), 0x6801);
    assert.equal(parsePropertyTag('0X6806'), 0x6806);
    assert.equal(parsePropertyTag('0x1FFFF'), undefined);
    assert.equal(parsePropertyTag('six'), undefined);
  });

  test('an operation openum does not run, or one naming nothing, is an EwsRequestError', async () => {
    const s = store(1);
    await assert.rejects(runEwsOperation(op(`<m:CreateItem ${M}/>`), 'ann', s), /CreateItem/);
    await assert.rejects(runEwsOperation(op(`<m:GetItem ${M}/>`), 'ann', s), /names no item/);
    await assert.rejects(runEwsOperation(op(`<x:GetItem xmlns:x="urn:other"/>`), 'ann', s), EwsRequestError);
  });
});
