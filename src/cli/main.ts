#!/usr/bin/env node
/**
 * The `openum` command (CONTRACT.md). Bad input prints one line on stderr and
 * exits with code 2; nothing is half-written.
 */
import { Command, CommanderError, Option } from 'commander';
import {
  UsageError,
  VERSION,
  mwiSetCommand,
  mwiShowCommand,
  runPhone,
  runServe,
  tokenCreate,
  userAdd,
  userList,
  userRemove,
  userSet,
} from '../app/cli-api.js';
import { runMessagesCommand } from '../app/message-commands.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const program = new Command('openum')
  .description('open unified messaging: voicemail, SIP registrar and MWI server')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.trimEnd().split('\n')[0] + '\n') });

program
  .command('serve')
  .description('run the server')
  .option('--data <dir>', 'data folder (SQLite file, audio, TLS keys)')
  .option('--domain <name>', 'SIP domain and digest realm')
  .option('--sip <host:port>', 'UDP and TCP listener')
  .option('--sips <host:port>', 'TLS listener')
  .option('--http <host:port>', 'HTTP (REST, WebSocket /sip)')
  .option('--tls-cert <file>', 'PEM certificate for TLS')
  .option('--tls-key <file>', 'PEM private key for TLS')
  .option('--trust <cidr>', 'trusted MWI peer (repeatable)', collect)
  .option('--mwi-target <uri>', 'forward mailbox changes to this SIP server (repeatable)', collect)
  .option('--database-url <url>', 'postgres://... instead of SQLite')
  .option('--allow-insecure-basic', 'EWS: accept Basic over plain HTTP from other hosts than loopback')
  .option('--rtp-ports <lo-hi>', 'media ports for calls (default 10000-20000)')
  .option('--media-address <ip>', 'the address put in SDP (behind NAT)')
  .option('--max-calls <n>', 'concurrent voicemail calls; beyond: 503 (default 500)')
  .option('--prompts <dir>', "voice prompts laid out like Asterisk's sounds (vm-*.wav, digits/)")
  .option('--max-message <s>', 'longest message in seconds (default 180)')
  .option('--min-message <s>', 'shorter messages are discarded, in seconds (default 2)')
  .option('--max-silence <s>', 'silence that ends a recording, in seconds (default 10)')
  .option('--max-messages <n>', 'messages per mailbox; a full one takes no message (default 100)')
  .option('--pilot <user>', 'user part of the voicemail pilot number (default voicemail)')
  .option('--rtp-timeout <s>', 'no RTP for this long ends a call, in seconds (default 30)')
  .option(
    '--idle-rtp <mode>',
    'what a call sends while nothing plays: keepalive (a silence packet a second, default), silence, none',
  )
  .option('--webhook <url>', 'POST each new message here (JSON, HMAC-signed, retried)')
  .option('--webhook-secret <s>', 'HMAC key of --webhook (default: generated once, kept in the data folder)')
  .option('--smtp <url>', "e-mail each new message to its user's --email (smtp[s]://[user:pass@]host[:port])")
  .option('--smtp-from <addr>', 'sender of those e-mails (default openum@DOMAIN)')
  .option('--config <file>', 'YAML settings file')
  .addOption(
    new Option('--log-level <level>', 'log level').choices([
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
  )
  .option('--auth-algorithms <list>', 'digest algorithms offered, in order (e.g. SHA-256,MD5)', (v: string) =>
    v.split(','),
  )
  .action(async (opts: Record<string, unknown>) => {
    await runServe(opts);
  });

const user = program.command('user').description('manage users');
user
  .command('add <name>')
  .requiredOption('--password <p>', 'SIP password (stored only as digest HA1)')
  .option('--extension <n>', 'numeric alias')
  .option('--display-name <s>', 'display name')
  .option('--mwi <on|off>', 'message waiting indication', 'on')
  .option('--unsolicited-mwi <on|off>', 'unsolicited NOTIFY to registered phones without a subscription', 'on')
  .option('--pin <nnnn>', 'voicemail PIN')
  .option('--data <dir>', 'data folder', './data')
  .option('--domain <name>', 'realm (default: the one the server last ran with, else localhost)')
  .option('--email <addr>', 'e-mail each new message with its audio here (serve --smtp)')
  .option('--own-phone-pin <on|off>', "the phone menu asks for the PIN on the user's own phone too (default on)")
  .action((name: string, opts: Record<string, string | undefined>) => {
    userAdd(name, opts);
  });
user
  .command('set <name>')
  .option('--mwi <on|off>', 'message waiting indication')
  .option('--own-phone-pin <on|off>', "the phone menu asks for the PIN on the user's own phone too")
  .option('--unsolicited-mwi <on|off>', 'unsolicited NOTIFY to registered phones without a subscription')
  .option('--display-name <s>', 'display name')
  .option('--password <p>', "a new SIP password (also moves the user to the current domain's realm)")
  .option(
    '--domain <name>',
    'with --password: the realm (default: the domain the server last ran with, else localhost)',
  )
  .option('--email <addr>', "e-mail each new message with its audio here ('' stops it)")
  .option('--data <dir>', 'data folder', './data')
  .action((name: string, opts: Record<string, string | undefined>) => {
    userSet(name, opts);
  });
user
  .command('list')
  .option('--data <dir>', 'data folder', './data')
  .action((opts: { data: string }) => {
    userList(opts.data);
  });
user
  .command('remove <name>')
  .option('--data <dir>', 'data folder', './data')
  .action((name: string, opts: { data: string }) => {
    userRemove(name, opts.data);
  });

program
  .command('token')
  .description('API tokens')
  .command('create')
  .option('--scope <scope>', 'admin or mwi:write', 'mwi:write')
  .option('--mailbox <name>', 'limit an mwi:write token to one mailbox')
  .option('--data <dir>', 'data folder', './data')
  .action((opts: { scope?: string; mailbox?: string; data?: string }) => {
    tokenCreate(opts);
  });

const mwi = program.command('mwi').description('message waiting indication');
mwi
  .command('show <name>')
  .option('--data <dir>', 'data folder', './data')
  .action((name: string, opts: { data: string }) => {
    mwiShowCommand(name, opts.data);
  });
mwi
  .command('set <name>')
  .requiredOption('--new <n>', 'new messages')
  .requiredOption('--old <n>', 'old (read) messages')
  .option('--urgent-new <n>', 'urgent new messages (part of new)')
  .option('--urgent-old <n>', 'urgent old messages (part of old)')
  .option('--data <dir>', 'data folder', './data')
  .action((name: string, opts: Record<string, string | undefined>) => {
    mwiSetCommand(name, opts);
  });

const messages = program.command('messages').description('voicemail messages');
messages
  .command('list <name>')
  .description('the messages of a mailbox, newest first')
  .option('--data <dir>', 'data folder', './data')
  .action(async (name: string, opts: { data: string }) => {
    await runMessagesCommand('list', name, opts);
  });
messages
  .command('delete <id>')
  .description('delete a message and its audio (the lamp follows)')
  .option('--data <dir>', 'data folder', './data')
  .action(async (id: string, opts: { data: string }) => {
    await runMessagesCommand('delete', id, opts);
  });

program
  .command('phone')
  .description('a SIP phone: register, subscribe to the mailbox, print every lamp change')
  .requiredOption('--server <host:port>', 'the SIP server (registrar and notifier)')
  .requiredOption('--user <name>', 'user name (sip:NAME@DOMAIN)')
  .requiredOption('--password <p>', 'SIP password')
  .addOption(new Option('--dialect <dialect>', 'MWI dialect').choices(['rfc3842', 'lync']).default('rfc3842'))
  .addOption(new Option('--transport <transport>', 'SIP transport').choices(['udp', 'tcp', 'tls', 'ws']).default('udp'))
  .option('--domain <name>', 'SIP domain (default: localhost)')
  .option('--tls-ca <file>', 'PEM certificate(s) to trust for --transport tls')
  .option('--tls-insecure', 'accept any server certificate (--transport tls)')
  .option('--data <dir>', "a server's data folder on this machine: over TLS, trust the certificate it made", './data')
  .option('--http <host:port|url>', "where Autodiscover and EWS answer (default: the server's host, port 8080)")
  .action(async (opts: Record<string, unknown>) => {
    await runPhone(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UsageError) {
    process.stderr.write(`openum: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`openum: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
