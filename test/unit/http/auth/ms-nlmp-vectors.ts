/**
 * [MS-NLMP] section 4.2 test data: the common values of 4.2.1 and the NTLMv2
 * ones of 4.2.4 (copied from the document's hex dumps).
 */
export const PASSWORD = 'Password';
export const USER = 'User';
export const DOMAIN = 'Domain';
/** 4.2.1 */
export const SERVER_CHALLENGE = Buffer.from('0123456789abcdef', 'hex');
export const CLIENT_CHALLENGE = Buffer.from('aaaaaaaaaaaaaaaa', 'hex');
/** 4.2.2.1.2: NTOWFv1("Password"). */
export const NT_HASH = 'a4f49c406510bdcab6824ee7c30fd852';
/** 4.2.4.1.1: NTOWFv2("Password", "User", "Domain"). */
export const NTOWFV2 = '0c868a403bfd7a93a3001ef22ef02e3f';
/** 4.2.4: the AV pairs the client copies (MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL). */
export const SERVER_NAME = Buffer.from(
  '02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000',
  'hex',
);
/** 4.2.4.2.2: the NTProofStr that starts the NTLMv2 response. */
export const NT_PROOF_STR = '68cd0ab851e51c96aabc927bebef6a1c';
/** 4.2.4.2.2: temp = 01 01 Z(6) Time(0) ClientChallenge Z(4) ServerName Z(4). */
export const TEMP = Buffer.concat([
  Buffer.from('0101000000000000', 'hex'),
  Buffer.alloc(8),
  CLIENT_CHALLENGE,
  Buffer.alloc(4),
  SERVER_NAME,
  Buffer.alloc(4),
]);
/** 4.2.4.3: the AUTHENTICATE_MESSAGE (user "User", domain "Domain", workstation "COMPUTER"). */
export const AUTHENTICATE_MESSAGE = Buffer.from(
  [
    '4e544c4d5353500003000000180018006c00000054005400840000000c000c00',
    '480000000800080054000000100010005c00000010001000d8000000358288e2',
    '0501280a0000000f44006f006d00610069006e00550073006500720043004f00',
    '4d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa',
    'aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000',
    '00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00',
    '01000c005300650072007600650072000000000000000000c5dad2544fc97990',
    '94ce1ce90bc9d03e',
  ].join(''),
  'hex',
);
