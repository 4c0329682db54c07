/** SSH message numbers (RFC 4250 §4.1, RFC 4419, RFC 5656, RFC 8308, RFC 4256). */
export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  // 30-49: key-exchange-method specific. Names depend on the method.
  KEX_30: 30,
  KEX_31: 31,
  KEX_32: 32,
  KEX_33: 33,
  KEX_34: 34,
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  USERAUTH_60: 60, // PK_OK / PASSWD_CHANGEREQ / INFO_REQUEST
  USERAUTH_INFO_RESPONSE: 61,
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
  // OpenSSH's PROTOCOL 1.9 transport-level ping (extension ping@openssh.com).
  PING: 192,
  PONG: 193,
} as const;

/** Key-exchange message names by method family, for logs. */
export const KEX_MSG = {
  KEXDH_INIT: 30,
  KEXDH_REPLY: 31,
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
  KEX_DH_GEX_REQUEST_OLD: 30,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
} as const;

const names = new Map<number, string>(Object.entries(MSG).map(([k, v]) => [v, `SSH_MSG_${k}`]));

export function msgName(type: number): string {
  return names.get(type) ?? `message type ${type}`;
}

/** Transport-layer generic messages (1-19) and KEX messages (20-49) per RFC 4251 §7. */
export function isTransportMessage(type: number): boolean {
  return type >= 1 && type <= 49;
}
