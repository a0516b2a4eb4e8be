/**
 * The emulator's data model. Everything here is what a MEGA server would know: encrypted blobs
 * and wrapped keys, never plaintext names, contents or keys.
 */

/** 0 file, 1 folder, 2 Cloud Drive, 3 Inbox, 4 Rubbish Bin. */
export type NodeType = 0 | 1 | 2 | 3 | 4;

export interface NodeRecord {
  /** 8-char node handle. */
  h: string;
  /** Parent handle; '' for the three roots. A node whose parent is a file is an old version. */
  p: string;
  t: NodeType;
  /** Encrypted attributes, base64url as the client sent them; '' for roots. */
  a: string;
  /** Wrapped node key, base64url, without the `owner:` prefix (added on the wire); '' for roots. */
  k: string;
  /** When set, `k` is sent exactly as stored (hostile trees: odd or missing prefixes). */
  kExact?: boolean;
  /** Size in bytes (files only). */
  s?: number;
  /** Server creation time, Unix seconds. */
  ts: number;
  /** Id of the stored ciphertext (files only); several nodes may share one (server-side copies). */
  blob?: string;
  /** File attribute string (thumbnails), kept as sent. */
  fa?: string;
  /**
   * Keys for exported folders this node lies in: exported folder handle -> this node's key wrapped
   * with that folder's share key. What a client's `cr` would have uploaded (see links.ts).
   */
  sk?: Record<string, string>;
}

export interface AccountSettings {
  /** `ov` keeps the replaced node as a version (true, the MEGA default) or deletes it. */
  versioning: boolean;
  /** Storage quota in bytes (`mstrg`); uploads and `p` beyond it get -17. */
  storageQuota: number;
  /** Transfer quota in bytes; downloads beyond it get `{e:-17, tl}` from `g` and 509 from storage. */
  transferQuota: number;
  /** Seconds reported in `tl` / `X-MEGA-Time-Left` when over the transfer quota. */
  transferTimeLeft: number;
}

/** What the server stores for a user. Secrets only in the forms a real server holds them. */
export interface AccountRecord {
  email: string;
  /** 11-char user handle, the `u` of nodes and the `owner:` prefix of keys. */
  handle: string;
  name: string;
  version: 1 | 2;
  /** v2 only: 32-byte salt, base64url. */
  salt?: string;
  /** Login verifier, base64url. */
  uh: string;
  /** Master key wrapped with the password key, base64url. */
  k: string;
  /** RSA private key wrapped with the master key, base64url. */
  privk: string;
  pubk: string;
  /** RSA modulus and exponent (hex) to encrypt session ids. */
  rsaN: string;
  rsaE: string;
  /** The one 2FA code accepted (tests use a fixed code rather than TOTP). */
  mfa?: string;
  createdAt: number;
  roots: { drive: string; inbox: string; rubbish: string };
  settings: AccountSettings;
  /** Bytes served by the storage server to this account (counts against transferQuota). */
  transferUsed: number;
  /** Public links: public handle -> node handle (see links.ts). */
  links?: Record<string, string>;
  /** Share keys of exported folders, wrapped with the master key (the `ok` of MEGA): folder handle -> key. */
  shares?: Record<string, string>;
}

export interface SessionRecord {
  sid: string;
  email: string;
  createdAt: number;
}

/** One server-to-client action packet, as sent in `{a:[...]}` replies. */
export type ScPacket =
  | { a: 't'; t: { f: WireNode[] }; ou?: string }
  | { a: 'd'; n: string; m?: 1; ou?: string }
  | { a: 'u'; n: string; u: string; at: string; ts: number; ou?: string };

/** A node as the API sends it. */
export interface WireNode {
  h: string;
  p: string;
  u: string;
  t: NodeType;
  a: string;
  k: string;
  s?: number;
  ts: number;
  fa?: string;
}

export const DEFAULT_SETTINGS: AccountSettings = {
  versioning: true,
  storageQuota: 20 * 1024 ** 3,
  transferQuota: Number.MAX_SAFE_INTEGER,
  transferTimeLeft: 3600,
};
