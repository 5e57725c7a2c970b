import type { ApiCredentials } from '../http/api-auth.js';
import type { LampWatch, WebLamp } from '../http/http-app.js';
import type { ApiMwiState, MwiApi } from '../http/mwi-routes.js';
import type { MailboxMwi, MwiService } from '../mwi/mwi-service.js';
import type { Storage } from '../storage/ports.js';

function apiState(s: MailboxMwi): ApiMwiState {
  return { messagesWaiting: s.messagesWaiting, ...s.counts, version: s.version };
}

/** The MWI API over the MWI service (the HTTP layer sees only this interface). */
export function mwiApi(storage: Storage, mwi: MwiService): MwiApi {
  return {
    mailbox: (name) => {
      const u = storage.getUser(name);
      return u && { mwiEnabled: u.mwiEnabled };
    },
    get: (mailbox) => apiState(mwi.get(mailbox)),
    set: async (mailbox, source, counts) => {
      const { state } = mwi.update({ mailbox, source, counts });
      await storage.barrier();
      return apiState(state);
    },
  };
}

/** API credentials over storage: token hashes and users' MD5 HA1. */
export function apiCredentials(storage: Storage): ApiCredentials {
  return {
    tokenByHash: (hash) => {
      const t = storage.findTokenByHash(hash);
      return t && { id: t.id, scope: t.scope, mailbox: t.mailbox };
    },
    userHa1: (name) => {
      const u = storage.getUser(name);
      return u && { realm: u.realm, ha1Md5: u.ha1.MD5 };
    },
  };
}

/**
 * The web inbox's live lamp over the MWI service: one listener on the service
 * (it has no removal) that hands each change to the pages watching that
 * mailbox; every way the lamp moves (a deposit, a read, a delete, the API,
 * a trusted NOTIFY or PUBLISH) passes through `onChange`.
 */
export function lampWatch(mwi: MwiService): LampWatch {
  const watchers = new Map<string, Set<(lamp: WebLamp) => void>>();
  const lamp = (s: MailboxMwi): WebLamp => ({ ...s.counts, version: s.version });
  mwi.onChange((s) => {
    const set = watchers.get(s.mailbox);
    if (!set) return;
    const l = lamp(s);
    for (const w of set) w(l);
  });
  return {
    get: (mailbox) => lamp(mwi.get(mailbox)),
    watch: (mailbox, listener) => {
      let set = watchers.get(mailbox);
      if (!set) watchers.set(mailbox, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) watchers.delete(mailbox);
      };
    },
  };
}
