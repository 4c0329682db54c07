/**
 * known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT", OpenSSH hostfile.c): parsing, lookup of a
 * host's key, and the lines ssh appends. A pure module: callers pass file texts in, nothing here
 * touches the filesystem. Names are looked up as ssh does: `host` for port 22, `[host]:port` otherwise
 * (see hostfileName), plain patterns matched case-insensitively, hashed names compared exactly.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { TsshError } from '../errors.js';
import { asciiLowercase, matchHostname } from '../text/patterns.js';
import { keyBlobProblem } from './key-blob.js';

export interface KnownHostsFile {
  path: string;
  text: string;
}

/** `@revoked`: never accept this key. `@cert-authority`: a CA trusted for host certificates. */
export type KnownHostsMarker = 'revoked' | 'cert-authority';

export interface KnownHostsEntry {
  readonly file: string;
  /** 1-based line number, as OpenSSH reports it. */
  readonly line: number;
  readonly marker: KnownHostsMarker | undefined;
  /** The hostnames field as written: a comma list of patterns, or one `|1|salt|hmac` hashed name. */
  readonly hosts: string;
  /** Salt of a hashed hostnames field; undefined for plain patterns. */
  readonly hashSalt: Buffer | undefined;
  readonly keyType: string;
  readonly keyBlob: Buffer;
  readonly comment: string;
}

/** A line that was skipped, kept so -v logs can say why (OpenSSH: "parse error in hostkeys file"). */
export interface MalformedKnownHostsLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface ParsedKnownHosts {
  readonly entries: KnownHostsEntry[];
  readonly malformed: MalformedKnownHostsLine[];
}

/** Raw files (parsed on each call) or the result of parseKnownHostsFiles (parse once, look up often). */
export type KnownHostsSource = readonly KnownHostsFile[] | ParsedKnownHosts;

export type HostKeyLookup =
  /** A line for this name carries exactly this key. */
  | { status: 'match'; file: string; line: number }
  /** A matching `@revoked` line lists this key; wins over everything else. */
  | { status: 'revoked'; file: string; line: number }
  /**
   * Lines for this name carry a different key of the same type. file/line/knownType/knownBlob name the
   * entry OpenSSH reports as "Offending": the last differing entry for the name.
   */
  | { status: 'changed'; file: string; line: number; knownType: string; knownBlob: Buffer }
  /** The name is known only with keys of other types (entries in file order). */
  | { status: 'other-types'; types: string[]; entries: KnownHostsEntry[] }
  | { status: 'unknown' };

const HASH_MAGIC = '|1|';
const SHA1_LENGTH = 20;
const MARKERS: Readonly<Record<string, KnownHostsMarker>> = {
  '@revoked': 'revoked',
  '@cert-authority': 'cert-authority',
};

/** The name ssh stores and looks up for a host: bare for port 22 (or 0), `[host]:port` otherwise. */
export function hostfileName(host: string, port: number): string {
  return port === 22 || port === 0 ? host : `[${host}]:${port}`;
}

/** Strict base64 (padding required), as OpenSSH's b64_pton accepts it; undefined if invalid. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`; a fresh random 20-byte salt unless one is given. */
export function hashHostName(name: string, salt: Buffer = randomBytes(SHA1_LENGTH)): string {
  const mac = createHmac('sha1', salt).update(name, 'utf8').digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${mac.toString('base64')}`;
}

/** The salt of a hashed hostnames field, or a reason it is unusable (OpenSSH extract_salt). */
function hashedNameSalt(field: string): Buffer | string {
  if (!field.startsWith(HASH_MAGIC)) return 'bad host hash: invalid magic identifier';
  const rest = field.slice(HASH_MAGIC.length);
  const delim = rest.indexOf('|');
  if (delim < 0) return 'bad host hash: missing salt termination character';
  if (delim === 0 || delim > 1024) return 'bad host hash: bad encoded salt length';
  const salt = decodeBase64(rest.slice(0, delim));
  if (salt === undefined || salt.length !== SHA1_LENGTH) return 'bad host hash: bad salt';
  return salt;
}

function parseLine(file: string, lineNo: number, raw: string): KnownHostsEntry | MalformedKnownHostsLine | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const fields = line.split(/[ \t]+/);
  if (fields[0] === '') fields.shift();
  if (fields.length === 0 || fields[0] === '' || fields[0]!.startsWith('#')) return undefined;
  const bad = (reason: string): MalformedKnownHostsLine => ({ file, line: lineNo, reason });

  let marker: KnownHostsMarker | undefined;
  if (fields[0]!.startsWith('@')) {
    marker = MARKERS[fields[0]!];
    if (marker === undefined) return bad(`invalid marker "${fields[0]}"`);
    fields.shift();
    if (fields[0]?.startsWith('@')) return bad('more than one marker');
  }
  const [hosts, keyType, base64, ...commentWords] = fields;
  if (hosts === undefined || hosts === '') return bad('no host names');
  if (keyType === undefined || keyType === '' || keyType.startsWith('#')) return bad('truncated before key type');
  if (!/^[\x21-\x7e]+$/.test(keyType)) return bad(`invalid key type "${keyType}"`);
  if (base64 === undefined || base64 === '') return bad('truncated after key type');
  const keyBlob = decodeBase64(base64);
  if (keyBlob === undefined) return bad('key is not valid base64');
  const problem = keyBlobProblem(keyType, keyBlob);
  if (problem !== undefined) return bad(problem);

  let hashSalt: Buffer | undefined;
  if (hosts.startsWith('|')) {
    const salt = hashedNameSalt(hosts);
    if (typeof salt === 'string') return bad(salt);
    hashSalt = salt;
  }
  const comment = commentWords.join(' ').trim();
  return { file, line: lineNo, marker, hosts, hashSalt, keyType, keyBlob, comment };
}

/** Parses one file. Comments and blank lines are skipped; bad lines are skipped and listed with a reason. */
export function parseKnownHosts(path: string, text: string): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const malformed: MalformedKnownHostsLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseLine(path, i + 1, lines[i]!);
    if (parsed === undefined) continue;
    if ('reason' in parsed) malformed.push(parsed);
    else entries.push(parsed);
  }
  return { entries, malformed };
}

/** Parses files in order (user files first, then global ones, as ssh searches them). */
export function parseKnownHostsFiles(files: readonly KnownHostsFile[]): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const malformed: MalformedKnownHostsLine[] = [];
  for (const file of files) {
    const parsed = parseKnownHosts(file.path, file.text);
    entries.push(...parsed.entries);
    malformed.push(...parsed.malformed);
  }
  return { entries, malformed };
}

function entriesOf(source: KnownHostsSource): readonly KnownHostsEntry[] {
  return Array.isArray(source) ? parseKnownHostsFiles(source).entries : (source as ParsedKnownHosts).entries;
}

/** Whether an entry's hostnames field names `name`: a hashed name exactly, or the pattern list (negation wins). */
export function entryMatchesName(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hashSalt !== undefined) return hashHostName(name, entry.hashSalt) === entry.hosts;
  return matchHostname(name, entry.hosts) === 1;
}

/** Looks up the server's host key for `lookupName` (OpenSSH check_key_in_hostkeys, plain keys). */
export function lookupHostKey(
  files: KnownHostsSource,
  lookupName: string,
  keyType: string,
  keyBlob: Buffer,
): HostKeyLookup {
  const forName = entriesOf(files).filter((e) => e.marker !== 'cert-authority' && entryMatchesName(e, lookupName));
  const revoked = forName.find((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob));
  if (revoked !== undefined) return { status: 'revoked', file: revoked.file, line: revoked.line };

  const plain = forName.filter((e) => e.marker === undefined);
  const match = plain.find((e) => e.keyBlob.equals(keyBlob));
  if (match !== undefined) return { status: 'match', file: match.file, line: match.line };
  if (plain.length === 0) return { status: 'unknown' };

  if (plain.some((e) => e.keyType === keyType)) {
    const offending = plain[plain.length - 1]!;
    return {
      status: 'changed',
      file: offending.file,
      line: offending.line,
      knownType: offending.keyType,
      knownBlob: offending.keyBlob,
    };
  }
  return { status: 'other-types', types: [...new Set(plain.map((e) => e.keyType))], entries: plain };
}

/** Key types known for `name` (plain entries, file order, no repeats): used to order HostKeyAlgorithms. */
export function knownKeyTypesFor(files: KnownHostsSource, name: string): string[] {
  const types = entriesOf(files)
    .filter((e) => e.marker === undefined && entryMatchesName(e, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/**
 * Plain entries carrying `keyBlob` under names matching none of `names` (OpenSSH hostkeys_find_by_key:
 * "This host key is known by the following other names/addresses").
 */
export function findKeyUnderOtherNames(
  files: KnownHostsSource,
  names: readonly string[],
  keyBlob: Buffer,
): KnownHostsEntry[] {
  return entriesOf(files).filter(
    (e) => e.marker === undefined && e.keyBlob.equals(keyBlob) && !names.some((n) => entryMatchesName(e, n)),
  );
}

/**
 * The line ssh appends for a newly accepted key (no trailing newline): `name type base64`, the name
 * lowercased, or hashed with a fresh 20-byte salt (`salt` only for tests).
 */
export function formatKnownHostsLine(
  lookupName: string,
  keyType: string,
  keyBlob: Buffer,
  hash: boolean,
  salt?: Buffer,
): string {
  if (!/^[\x21-\x7e]+$/.test(keyType)) throw new TsshError('INTERNAL', `invalid key type name "${keyType}"`);
  const name = asciiLowercase(lookupName);
  if (name === '' || /[\s]/.test(name)) throw new TsshError('INTERNAL', `invalid known_hosts name "${lookupName}"`);
  const hostsField = hash ? hashHostName(name, salt) : name;
  return `${hostsField} ${keyType} ${keyBlob.toString('base64')}`;
}
