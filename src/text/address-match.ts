/**
 * CIDR address lists as OpenSSH's addrmatch.c reads them (`Match localnetwork 192.168.0.0/16,fd00::/8`):
 * each entry an IPv4 or IPv6 address with an optional prefix length, whose host bits must be zero.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** One parsed list entry: the address as bits, how many of them count. */
interface Network {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

/** The longest entry OpenSSH reads (INET6_ADDRSTRLEN + 3 for the prefix). */
const MAX_ENTRY = 46 + 3;

/**
 * Whether any of `addresses` lies in one of the networks of `list`; or the messages OpenSSH prints when
 * the list is malformed (it checks the list before looking at any address).
 */
export function matchCidrList(addresses: readonly string[], list: string): boolean | { errors: string[] } {
  const parsed = parseCidrList(list);
  if ('errors' in parsed) return parsed;
  return addresses.some((address) => {
    const target = parseAddress(address);
    return target !== undefined && parsed.networks.some((network) => contains(network, target));
  });
}

function parseCidrList(list: string): { networks: Network[] } | { errors: string[] } {
  const networks: Network[] = [];
  const errors: string[] = [];
  for (const entry of list.split(',')) {
    // OpenSSH prints its list after strsep(3) cut it at the first comma.
    if (entry === '') return { errors: [...errors, `addr_match_cidr_list: empty entry in list "${list.split(',')[0]!.slice(0, 100)}"`] };
    const shown = entry.slice(0, 100);
    if (entry.length > MAX_ENTRY) return { errors: [...errors, `addr_match_cidr_list: list entry "${shown}" too long`] };
    // Bad characters are reported, and the entry is still parsed (and then fails), as in OpenSSH.
    if (!/^[0-9a-fA-F.:/]*$/.test(entry)) errors.push(`addr_match_cidr_list: list entry "${shown}" contains invalid characters`);
    const network = parseNetwork(entry);
    if (network === 'invalid') return { errors: [...errors, `Invalid network entry "${shown}"`] };
    if (network === 'inconsistent') return { errors: [...errors, `Inconsistent mask length for network "${shown}"`] };
    networks.push(network);
  }
  return errors.length > 0 ? { errors } : { networks };
}

/** OpenSSH addr_pton_cidr(): `address[/prefix]`, the host part all zeroes. */
function parseNetwork(entry: string): Network | 'invalid' | 'inconsistent' {
  const slash = entry.indexOf('/');
  const addressText = slash < 0 ? entry : entry.slice(0, slash);
  const address = parseAddress(addressText);
  if (address === undefined || address.scoped) return 'invalid';
  let prefix = address.family === 4 ? 32 : 128;
  if (slash >= 0) {
    const text = entry.slice(slash + 1);
    if (!/^\d+$/.test(text) || Number(text) > 2 ** 31 - 1) return 'invalid';
    prefix = Number(text);
  }
  const width = address.family === 4 ? 32 : 128;
  if (prefix > width) return 'inconsistent';
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((address.bits & hostMask) !== 0n) return 'inconsistent';
  return { family: address.family, bits: address.bits, prefix };
}

function contains(network: Network, target: { family: 4 | 6; bits: bigint; scoped: boolean }): boolean {
  // OpenSSH compares IPv6 scope ids too, so a scoped (link-local) interface address never matches.
  if (network.family !== target.family || target.scoped) return false;
  const shift = BigInt((network.family === 4 ? 32 : 128) - network.prefix);
  return network.bits >> shift === target.bits >> shift;
}

/** A numeric IPv4 or IPv6 address (an IPv6 one may carry a `%scope`). */
function parseAddress(text: string): { family: 4 | 6; bits: bigint; scoped: boolean } | undefined {
  if (isIPv4(text)) return { family: 4, bits: text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n), scoped: false };
  const percent = text.indexOf('%');
  const bare = percent < 0 ? text : text.slice(0, percent);
  if (!isIPv6(bare)) return undefined;
  return { family: 6, bits: ipv6Bits(bare), scoped: percent >= 0 };
}

function ipv6Bits(address: string): bigint {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  // An embedded IPv4 address in the last 32 bits (::ffff:1.2.3.4) becomes two groups.
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = text.slice(lastColon + 1).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  let groups = head.split(':');
  if (rest !== undefined) {
    const left = head === '' ? [] : head.split(':');
    const right = rest === '' ? [] : rest.split(':');
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  }
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group || '0', 16)), 0n);
}
