/**
 * The `~I` escape: "Connection information for <host> pid <pid>" and the lines OpenSSH 10.x prints
 * after it (packet.c connection_info_message), from what the transport tells (ConnectionFacts).
 */
import type { ConnectionFacts } from '../transport/connection-facts.js';

/** `name`, or `in-name in, out-name out` when the two directions differ (ssh's dedupe_alg_names). */
function dedupe(incoming: string | undefined, outgoing: string | undefined): string {
  const a = incoming ?? '<implicit>';
  const b = outgoing ?? '<implicit>';
  return a === b ? a : `${a} in, ${b} out`;
}

/** OpenBSD fmt_scaled(3): `512B`, `3.6K`, `15K`, `1.2M`, ... (ssh appends another `B`). */
export function fmtScaled(value: number): string {
  const units = 'BKMGTPE';
  if (value === 0) return '0B';
  let unit = 0;
  while (unit < units.length - 1 && value / 1024 >= 1024 ** unit) unit++;
  let whole = Math.floor(value / 1024 ** unit);
  let fraction = unit === 0 ? 0 : Math.floor((value % 1024 ** unit) / 1024 ** (unit - 1));
  fraction = Math.floor((10 * fraction + 512) / 1024);
  if (fraction >= 10) {
    whole++;
    fraction = 0;
  }
  if (unit === 0 || whole >= 100) return `${whole + (fraction >= 5 ? 1 : 0)}${units[unit]}`;
  return `${whole}.${fraction}${units[unit]}`;
}

/** misc.c fmt_timeframe: `00:05:00`, `1d02h03m`, `01w2d03h`. */
function fmtTimeframe(seconds: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const sec = seconds % 60;
  const min = Math.floor(seconds / 60) % 60;
  const hrs = Math.floor(seconds / 3600) % 24;
  const day = Math.floor(seconds / 86400) % 7;
  const week = Math.floor(seconds / 604800);
  if (week > 0) return `${two(week)}w${day}d${two(hrs)}h`;
  if (day > 0) return `${day}d${two(hrs)}h${two(min)}m`;
  return `${two(hrs)}:${two(min)}:${two(sec)}`;
}

/** format_absolute_time: local time as %Y-%m-%dT%H:%M:%S. */
function absoluteTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** ssh_set_newkeys' max_blocks: 2^(2 × block size) blocks, or 1 GiB for small blocks; RekeyLimit lowers it. */
function maxBlocks(blockSize: number, limitBytes: number): number {
  const base = blockSize >= 16 ? 2 ** (blockSize * 2) : 2 ** 30 / blockSize;
  return Math.min(base, Math.floor(limitBytes / blockSize));
}

export function connectionInfoMessage(facts: ConnectionFacts, hostname: string, pid: number): string {
  const n = facts.negotiated;
  const limit = facts.rekeyLimit?.bytes;
  const volume = limit === undefined || limit === 0 ? 'limit none' : `limit blocks ${dedupe(String(maxBlocks(facts.blockSize.in, limit)), String(maxBlocks(facts.blockSize.out, limit)))}`;
  const seconds = facts.rekeyLimit?.seconds;
  const time = seconds === undefined || seconds === 0 ? 'interval none' : `interval ${fmtTimeframe(seconds)}, next ${absoluteTime(facts.lastKeyExchangeAt + seconds * 1000)}`;
  const traffic = (t: ConnectionFacts['sent'], blockSize: number): string =>
    `${t.packets} pkts ${Math.floor(t.bytes / blockSize)} blks ${fmtScaled(t.totalBytes)}B`;
  const lines = [
    `Connection information for ${hostname} pid ${pid}`,
    ...(facts.tcp ? [`  tcp ${facts.tcp.local} -> ${facts.tcp.remote}`] : []),
    `  kexalgorithm ${n?.kex ?? '(none)'}`,
    `  hostkeyalgorithm ${n?.hostKey ?? '(none)'}`,
    `  cipher ${dedupe(n?.serverToClient.cipher, n?.clientToServer.cipher)}`,
    `  mac ${dedupe(n?.serverToClient.mac, n?.clientToServer.mac)}`,
    `  compression ${dedupe(n?.serverToClient.compression, n?.clientToServer.compression)}`,
    `  rekey ${volume} ${time}`,
    `  traffic ${traffic(facts.received, facts.blockSize.in)} in, ${traffic(facts.sent, facts.blockSize.out)} out`,
  ];
  return lines.map((line) => `${line}\r\n`).join('');
}

/**
 * What ssh prints on SIGINFO (OpenSSH 10.4+, clientloop.c; 10.3 listed the open channels instead):
 * `<progname>: connection to <address> port <port>, up <seconds> seconds`. Only platforms with SIGINFO
 * (the BSDs, macOS) have the signal; Linux has none.
 */
export function siginfoMessage(progname: string, facts: ConnectionFacts, upSeconds: number): string {
  const remote = facts.tcp?.remote;
  const colon = remote?.lastIndexOf(':') ?? -1;
  const peer = remote === undefined || colon < 0 ? 'UNKNOWN port 65535' : `${remote.slice(0, colon)} port ${remote.slice(colon + 1)}`;
  return `${progname}: connection to ${peer}, up ${upSeconds.toFixed(1)} seconds`;
}

/** `-O channels`: the open channels, one line each, as the ~# escape lists them. */
export function channelsText(lines: readonly string[]): string {
  return `The following connections are open:\r\n${lines.map((line) => `${line}\r\n`).join('')}`;
}
