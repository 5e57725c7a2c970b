/**
 * openum's voicemail behind a real SIP server: Kamailio 5.6 as the proxy in
 * front (record-route, every request relayed to openum, in-dialog requests
 * by loose routing). SIPp, as the PBX, sends its deposit call to Kamailio;
 * the 200 comes back with Kamailio's Record-Route, the ACK and the BYE go
 * through Kamailio, the RTP goes straight to openum, and the message is the
 * pcap's 7.08 s.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { SIPP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario } from '../support/sipp.js';
import { startKamailio, type KamailioConfigOptions, type KamailioServer } from '../support/kamailio.js';
import { storedMessages } from '../support/stored-messages.js';

const DOMAIN = 'localhost';
const ERIN = { name: 'erin', password: 'erin-secret', extraArgs: ['--extension', '1005'] };

/** A stateful record-routing proxy that sends every new request to openum (`target` = 'HOST:PORT'). */
function proxyConfig(target: string): (o: KamailioConfigOptions) => string {
  return (o) => `#!KAMAILIO
debug=1
log_stderror=yes
children=1
tcp_children=1
listen=udp:127.0.0.1:${o.port}
auto_aliases=no
alias="${o.domain}"
dns=no
rev_dns=no
server_header="Server: kamailio-openum-proxy"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:${o.ctlSocket}")
modparam("rr", "enable_full_lr", 1)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	if (is_method("OPTIONS") && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	record_route();
	$du = "sip:${target}";
	t_relay();
	exit;
}
`;
}

describe('voicemail behind Kamailio 5.6 as the proxy', { timeout: 90_000 }, () => {
  let server: OpenumServer | undefined;
  let kamailio: KamailioServer | undefined;
  before(async () => {
    server = await startOpenum({
      domain: DOMAIN,
      users: [ERIN],
      // the proxy is the trusted peer (here on the same loopback address as SIPp)
      extraArgs: [...SIPP_SERVE_ARGS, '--trust', '127.0.0.1/32', '--rtp-ports', '34000-34999'],
    });
  });
  after(async () => {
    await kamailio?.stop();
    await server?.stop();
  });

  test('a deposit through the proxy: Record-Route kept, ACK and BYE routed, the message stored', async (t) => {
    const sipp = requirePeer(t, 'sipp');
    const kam = requirePeer(t, 'kamailio');
    if (!sipp || !kam || !server) return;
    kamailio = await startKamailio(kam, { domain: DOMAIN, config: proxyConfig(server.address('udp')) });
    const r = await runSipp(sipp, {
      scenario: sippScenario('vm-deposit-target.xml'),
      target: kamailio.address,
      transport: 'udp',
      keys: { domain: DOMAIN, mailbox: ERIN.name },
      timeoutS: 30,
      recvTimeoutMs: 10_000,
    });
    const why = `${r.describe()}\n--- kamailio ---\n${kamailio.log().slice(-3000)}\n--- openum ---\n${server.process.stderr.slice(-3000)}`;
    assert.equal(r.code, 0, why);
    const ok = r.messageLog.split(/\n-{10,}[^\n]*\n/).find((m) => /SIP\/2\.0 200 OK[\s\S]*CSeq: 1 INVITE/.test(m));
    assert.match(ok ?? '', new RegExp(`Record-Route: <sip:127\\.0\\.0\\.1:${kamailio.port};lr[^>]*>`), why);
    assert.match(
      r.messageLog,
      new RegExp(`BYE sip:[^\\n]*\\n[\\s\\S]*?Route: <sip:127\\.0\\.0\\.1:${kamailio.port};lr`),
      why,
    );
    const msgs = await storedMessages(server.dataDir, ERIN.name, 1);
    assert.equal(msgs.length, 1, why);
    assert.ok(Math.abs((msgs[0]?.durationMs ?? 0) - 7080) <= 200, `duration ${msgs[0]?.durationMs}`);
    assert.equal(msgs[0]?.reason, 'busy');
  });
});
