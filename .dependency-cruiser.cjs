/**
 * The one-way layering of ARCHITECTURE.md, enforced in `npm test`:
 *   cli -> app -> {http, voicemail, mwi, registrar, events, storage} -> sip -> base
 * A lower layer talks to a higher one through a delegate interface it declares.
 * base/ is the leaf every layer may use (clock, XML tree): it imports only
 * node:*, npm packages and base/.
 *
 * Deviation from ARCHITECTURE.md, on purpose: sip/transport/ may import the
 * npm package `ws` (RFC 7118 WebSocket framing is not the heart of the
 * product; the ws library does it well). Everything else in sip/ imports only
 * node:*, sip/* and base/*.
 */
module.exports = {
  forbidden: [
    {
      name: 'base-is-a-leaf',
      comment: 'src/base imports node builtins, npm packages and src/base only',
      severity: 'error',
      from: { path: '^src/base/' },
      to: { pathNot: ['^src/base/', '(^|/)node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'media-below-voicemail',
      comment: 'src/media (RTP, G.711, SDP, recording, playout) imports node builtins, npm packages, src/base and itself only',
      severity: 'error',
      from: { path: '^src/media/' },
      to: { pathNot: ['^src/(base|media)/', '(^|/)node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'voicemail-layer',
      comment: 'src/voicemail (calls, deposit, menu, mailboxes) uses sip, media, mwi, base and the storage ports; never http, registrar, events internals or an adapter',
      severity: 'error',
      from: { path: '^src/voicemail/' },
      to: { path: '^src/(http|registrar|events|phone)/' },
    },
    {
      name: 'sip-is-self-contained',
      comment: 'src/sip imports node builtins, src/sip and src/base only (ws only in transport/)',
      severity: 'error',
      from: { path: '^src/sip/', pathNot: '^src/sip/transport/' },
      to: { pathNot: ['^src/sip/', '^src/base/'], dependencyTypesNot: ['core', 'type-only'] },
    },
    {
      name: 'sip-transport-deps',
      severity: 'error',
      from: { path: '^src/sip/transport/' },
      to: { pathNot: ['^src/sip/', '^src/base/', '(^|/)node_modules/ws/', '(^|/)node_modules/@types/ws/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-upward-from-sip',
      severity: 'error',
      from: { path: '^src/sip/' },
      to: { path: '^src/(events|registrar|mwi|media|voicemail|storage|http|app|cli)/' },
    },
    {
      name: 'domain-not-app-or-cli',
      comment: 'only cli imports app; app is the composition root',
      severity: 'error',
      from: { path: '^src/(events|registrar|mwi|media|voicemail|storage|http|sip)/' },
      to: { path: '^src/(app|cli)/' },
    },
    {
      name: 'only-app-imports-storage-adapters',
      comment: 'app (the composition root) picks the adapter (storage/sqlite/ today); every other layer imports storage/ports.ts only',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app|storage)/' },
      to: { path: '^src/storage/', pathNot: '^src/storage/ports\\.ts$' },
    },
    {
      name: 'http-never-imports-sip',
      comment: 'http/ (and EWS later) may import base/, never sip/',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/sip/' },
    },
    {
      name: 'storage-below-domain',
      comment: 'storage adapters implement ports declared by the domain layers but import no domain logic except their port types',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/(http|mwi|voicemail|events)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'events-below-mwi-registrar',
      severity: 'error',
      from: { path: '^src/events/' },
      to: { path: '^src/(mwi|registrar|voicemail|http)/' },
    },
    {
      name: 'registrar-below-mwi',
      severity: 'error',
      from: { path: '^src/registrar/' },
      to: { path: '^src/(mwi|voicemail|http|events)/' },
    },
    {
      name: 'cli-only-app',
      comment: 'cli imports app/ only (and node builtins / npm packages)',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/(sip|events|registrar|mwi|media|voicemail|storage|http)/' },
    },
    {
      name: 'phone-is-a-client',
      comment: 'src/phone (openum phone) uses base/, the SIP stack, the message-summary codec and the roaming-self names only',
      severity: 'error',
      from: { path: '^src/phone/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/phone/', '^src/sip/', '^src/base/',
          '^src/events/packages/message-summary/message-summary-(body|chars|classes|counts|error)\\.ts$',
          '^src/events/packages/vnd-microsoft-roaming-self/namespaces\\.ts$',
        ],
      },
    },
    { name: 'only-app-imports-phone', severity: 'error', from: { path: '^src/', pathNot: '^src/(app|phone)/' }, to: { path: '^src/phone/' } },
    { name: 'no-circular', comment: 'type-only cycles are harmless (erased at compile time)', severity: 'error', from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
