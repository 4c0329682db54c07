/**
 * What `-O conninfo` (and the ~I escape) report about a connection, in OpenSSH 10.x's layout
 * (packet.c connection_info_message), and what `-O channels` lists.
 */
import { hostname } from 'node:os';
import type { SshClient } from '../client.js';

/** "name" when both directions agree, else "a in, b out" (packet.c dedupe_alg_names). */
function dedupe(incoming: string | undefined, outgoing: string | undefined): string {
  const a = incoming ?? '<implicit>';
  const b = outgoing ?? '<implicit>';
  return a === b ? a : `${a} in, ${b} out`;
}

export function connectionInfoText(client: SshClient, local: { address?: string; port?: number }, remote: { address?: string; port?: number }): string {
  const negotiated = client.transport.negotiated;
  const lines = [`Connection information for ${hostname().split('.')[0]} pid ${process.pid}`];
  if (local.address !== undefined && remote.address !== undefined) lines.push(`  tcp ${local.address}:${local.port} -> ${remote.address}:${remote.port}`);
  if (negotiated !== undefined) {
    lines.push(`  kexalgorithm ${negotiated.kex}`, `  hostkeyalgorithm ${negotiated.hostKey}`);
    lines.push(`  cipher ${dedupe(negotiated.serverToClient.cipher, negotiated.clientToServer.cipher)}`);
    lines.push(`  mac ${dedupe(negotiated.serverToClient.mac, negotiated.clientToServer.mac)}`);
    lines.push(`  compression ${dedupe(negotiated.serverToClient.compression, negotiated.clientToServer.compression)}`);
  }
  return lines.map((line) => `${line}\r\n`).join('');
}

/** `-O channels`: the open channels, one line each, as the ~# escape lists them. */
export function channelsText(lines: readonly string[]): string {
  return `The following connections are open:\r\n${lines.map((line) => `${line}\r\n`).join('')}`;
}
