/**
 * One voicemail client's cycle with ews-javascript-api (npm, 0.15.3) against
 * openum, as a Lync-style client runs it: Autodiscover (SOAP
 * GetUserSettings) for the EWS URL, then bind the voice mail folder,
 * find the items newest first with the duration property (0x6801, the tag
 * in decimal as this client writes it), bind the newest with its
 * attachment, load the attachment, mark it read, delete the oldest.
 */
import { XhrApi } from '@ewsjs/xhr';
import ews from 'ews-javascript-api';

export interface EwsJsCycle {
  /** The EWS URL Autodiscover gave. */
  ewsUrl: string;
  folder: { name: string; total: number; unread: number };
  items: { subject: string; read: boolean; durationS: number | null; caller: string | null }[];
  attachment: { name: string; type: string; bytes: number; riff: string };
  unreadAfterRead: number;
  totalAfterDelete: number;
}

/**
 * With `ntlm`, the client's HTTP layer does NTLM (`XhrApi.useNtlmAuthentication`,
 * as Lync Phone Edition speaks only NTLM to Exchange); else it sends Basic.
 * The HTTP layer is the package's global: set for every later call in this process.
 */
export async function ewsJsCycle(
  base: string,
  address: string,
  user: string,
  password: string,
  ntlm = false,
): Promise<EwsJsCycle> {
  ews.ConfigurationApi.ConfigureXHR(ntlm ? new XhrApi().useNtlmAuthentication(user, password) : new XhrApi());
  const ad = new ews.AutodiscoverService(
    new ews.Uri(`${base}/autodiscover/autodiscover.svc`),
    ews.ExchangeVersion.Exchange2010_SP1,
  );
  ad.Credentials = new ews.WebCredentials(user, password);
  ad.EnableScpLookup = false;
  const found0 = await ad.GetUserSettings(address, [ews.UserSettingName.ExternalEwsUrl]);
  const url = found0.Settings.get(ews.UserSettingName.ExternalEwsUrl) as string;
  const svc = new ews.ExchangeService(ews.ExchangeVersion.Exchange2010_SP1);
  svc.Credentials = new ews.WebCredentials(user, password);
  svc.Url = new ews.Uri(url);
  const folder = await ews.Folder.Bind(svc, ews.WellKnownFolderName.VoiceMail);
  const duration = new ews.ExtendedPropertyDefinition(0x6801, ews.MapiPropertyType.Integer);
  const caller = new ews.ExtendedPropertyDefinition(0x6802, ews.MapiPropertyType.String);
  const view = new ews.ItemView(50, 0);
  view.PropertySet = new ews.PropertySet(ews.BasePropertySet.FirstClassProperties, [duration, caller]);
  view.OrderBy.Add(ews.ItemSchema.DateTimeReceived, ews.SortDirection.Descending);
  const found = await svc.FindItems(folder.Id, view);
  const items = found.Items.map((it) => {
    const d: { outValue: number | null } = { outValue: null };
    const c: { outValue: string | null } = { outValue: null };
    // at runtime on every item; missing from the package's typings
    const props = it as unknown as {
      TryGetExtendedProperty<T>(def: ews.ExtendedPropertyDefinition, out: { outValue: T | null }): boolean;
    };
    props.TryGetExtendedProperty(duration, d);
    props.TryGetExtendedProperty(caller, c);
    return { subject: it.Subject, read: (it as ews.EmailMessage).IsRead, durationS: d.outValue, caller: c.outValue };
  });
  const first = found.Items[0];
  const last = found.Items[found.Items.length - 1];
  if (!first || !last) throw new Error('no items found');
  const newest = await ews.EmailMessage.Bind(
    svc,
    first.Id,
    new ews.PropertySet(ews.BasePropertySet.FirstClassProperties),
  );
  const att = newest.Attachments._getItem(0) as ews.FileAttachment;
  await att.Load();
  const audio = Buffer.from(att.Base64Content, 'base64');
  newest.IsRead = true;
  await newest.Update(ews.ConflictResolutionMode.AutoResolve);
  const afterRead = await ews.Folder.Bind(svc, ews.WellKnownFolderName.VoiceMail);
  await last.Delete(ews.DeleteMode.MoveToDeletedItems);
  const afterDelete = await ews.Folder.Bind(svc, ews.WellKnownFolderName.VoiceMail);
  return {
    ewsUrl: url,
    folder: { name: folder.DisplayName, total: folder.TotalCount, unread: folder.UnreadCount },
    items,
    attachment: {
      name: att.Name,
      type: att.ContentType,
      bytes: audio.length,
      riff: audio.subarray(0, 4).toString('latin1'),
    },
    unreadAfterRead: afterRead.UnreadCount,
    totalAfterDelete: afterDelete.TotalCount,
  };
}
