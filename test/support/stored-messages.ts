/**
 * The messages a running server stored, read from its data folder (a
 * message is stored after the caller hung up, so a test waits for it).
 */
import { openStorage } from '../../src/app/open-storage.js';
import type { MessageRecord } from '../../src/storage/ports.js';
import { poll } from './arrivals.js';

/** The mailbox's messages once there are at least `atLeast` (or what is there after `timeoutMs`). */
export async function storedMessages(
  dataDir: string,
  mailbox: string,
  atLeast = 0,
  timeoutMs = 5000,
): Promise<MessageRecord[]> {
  const storage = openStorage(dataDir);
  try {
    let last: MessageRecord[] = [];
    await poll(async () => {
      last = await storage.listMessages(mailbox);
      return last.length >= atLeast ? last : undefined;
    }, timeoutMs);
    return last;
  } finally {
    storage.close();
  }
}
