"""One voicemail client's cycle with python3-exchangelib (Debian) against openum's EWS:
list voice_mail, read the newest item and its attachment, mark it read, delete the oldest.
Prints one JSON line; any failure raises (exit code 1)."""
import json
import sys

from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
from exchangelib.version import EXCHANGE_2010_SP1, Version

url, user, password, domain, mode = sys.argv[1:6]
config = Configuration(
    service_endpoint=url,
    credentials=Credentials(user, password),
    auth_type=BASIC,
    version=Version(build=EXCHANGE_2010_SP1),
)
account = Account(primary_smtp_address=f"{user}@{domain}", config=config, autodiscover=False, access_type=DELEGATE)
folder = account.voice_mail
out = {"total": folder.total_count, "unread": folder.unread_count, "items": []}
items = list(folder.all().order_by("-datetime_received"))
for i in items:
    out["items"].append({"subject": i.subject, "is_read": i.is_read, "importance": i.importance,
                         "received": i.datetime_received.isoformat(), "item_class": i.item_class})
if mode == "cycle" and items:
    newest = account.fetch(ids=[items[0]])
    newest = list(newest)[0]
    att = newest.attachments[0]
    out["attachment"] = {"name": att.name, "content_type": att.content_type, "bytes": len(att.content),
                         "riff": att.content[:4].decode("latin1")}
    newest.is_read = True
    newest.save(update_fields=["is_read"])
    folder.refresh()
    out["unread_after_read"] = folder.unread_count
    items[-1].delete()
    folder.refresh()
    out["total_after_delete"] = folder.total_count
print(json.dumps(out))
