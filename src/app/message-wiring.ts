import { MessageApiError, type MessageInfo, type MessagesApi } from '../http/message-api.js';
import { resample } from '../media/resample.js';
import { readWav, WavError } from '../media/wav.js';
import { MwiService } from '../mwi/mwi-service.js';
import { AudioFileError } from '../storage/files/audio-files.js';
import type { MessageRecord, Storage } from '../storage/ports.js';
import { MailboxFullError, Mailboxes } from '../voicemail/mailboxes.js';
import type { MessageCommandDeps } from './message-commands.js';
import { openAudioFiles, openStorage } from './open-storage.js';

/** Audio inside openum: 8 kHz (G.711's rate). */
const RATE = 8000;

function info(m: MessageRecord): MessageInfo {
  return {
    id: m.id,
    mailbox: m.mailbox,
    from: m.callerNumber,
    fromName: m.callerName,
    receivedAt: m.receivedAt,
    durationMs: m.durationMs,
    urgent: m.urgent,
    read: m.read,
    reason: m.reason,
    origin: m.origin,
    callId: m.callId,
    audioBytes: m.audioBytes,
  };
}

/** A WAV upload as 8 kHz samples, any rate and format readWav reads; else a 415 'bad-audio'. */
function decodeUpload(wav: Buffer): Int16Array {
  let audio;
  try {
    audio = readWav(wav);
  } catch (e) {
    if (e instanceof WavError) throw new MessageApiError('bad-audio', e.message);
    throw e;
  }
  if (audio.samples.length === 0) throw new MessageApiError('bad-audio', 'the WAV file holds no audio');
  return audio.sampleRate === RATE ? audio.samples : resample(audio.samples, audio.sampleRate, RATE);
}

/** Store failures as the API's codes: a full mailbox (409), a full disk (507). */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MailboxFullError) throw new MessageApiError('mailbox-full', e.message);
    if (e instanceof AudioFileError && e.code === 'disk-full') throw new MessageApiError('storage-full', e.message);
    throw e;
  }
}

/** The REST messages API over the mailboxes (deposits convert any WAV rate to 8 kHz). */
export function messagesApi(storage: Storage, mailboxes: Mailboxes): MessagesApi {
  return {
    mailboxExists: (name) => storage.getUser(name) !== undefined,
    list: async (mailbox) => (await mailboxes.messages(mailbox)).map(info),
    get: async (id) => {
      const m = await mailboxes.get(id);
      return m && info(m);
    },
    audioPath: (id) => mailboxes.audioPath(id),
    deposit: (mailbox, wav, o) =>
      mapped(async () =>
        info(
          await mailboxes.deposit({
            mailbox,
            pcm: decodeUpload(wav),
            caller: { number: o.from, name: null },
            urgent: o.urgent,
            callId: null,
            reason: null,
            origin: 'api',
          }),
        ),
      ),
    setRead: async (id, read) => {
      const m = await mailboxes.setRead(id, read);
      return m && info(m);
    },
    remove: (id) => mailboxes.remove(id),
    putGreeting: (mailbox, kind, wav) => mapped(() => mailboxes.saveGreeting(mailbox, kind, decodeUpload(wav))),
    setPin: (mailbox, pin) => mailboxes.setPin(mailbox, pin),
  };
}

/**
 * The store and the voicemail layer for `openum messages` (offline): a
 * delete moves the lamp through the change feed, so a server running on the
 * same data folder hears of it at once.
 */
export function openMessageDeps(data: string): MessageCommandDeps {
  const storage = openStorage(data);
  const mailboxes = new Mailboxes(storage, openAudioFiles(data), new MwiService(storage), {
    maxMessages: Number.MAX_SAFE_INTEGER,
  });
  return {
    listMessages: (mailbox) => storage.listMessages(mailbox),
    userExists: (name) => storage.getUser(name) !== undefined,
    remove: (id) => mailboxes.remove(id),
    close: () => storage.close(),
  };
}
