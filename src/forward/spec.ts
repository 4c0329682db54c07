/**
 * What a forwarding specification (parsed in config/forward-spec.ts) means at run time: which local
 * addresses a listener binds, and what a remote forward asks the server to bind.
 */
import type { AddressFamily } from '../config/forward-options.js';
import type { ForwardEndpoint, ForwardSpec } from '../config/forward-spec.js';

export type { ForwardEndpoint, ForwardSpec, TcpEndpoint, UnixEndpoint, ForwardType } from '../config/forward-spec.js';

/** Where a local TCP listener binds: every interface, the loopback interface, or a named address. */
export type BindChoice = { kind: 'wildcard' } | { kind: 'loopback' } | { kind: 'named'; host: string };

/**
 * OpenSSH's client rules (channel_fwd_bind_addr): no address means loopback, or every interface with
 * GatewayPorts (-g); `*` or an empty address means every interface; `localhost` means the loopback
 * addresses of every family; anything else is bound as given, whatever GatewayPorts says.
 */
export function localBindChoice(host: string | undefined, gatewayPorts: boolean): BindChoice {
  if (host === undefined) return gatewayPorts ? { kind: 'wildcard' } : { kind: 'loopback' };
  if (host === '' || host === '*') return { kind: 'wildcard' };
  if (host === 'localhost') return { kind: 'loopback' };
  return { kind: 'named', host };
}

/**
 * The socket addresses for a wildcard or loopback bind, in the order getaddrinfo gives them on Linux
 * (IPv6 first), limited to AddressFamily.
 */
export function fixedBindAddresses(choice: BindChoice, family: AddressFamily): string[] {
  const both = choice.kind === 'wildcard' ? ['::', '0.0.0.0'] : ['::1', '127.0.0.1'];
  if (family === 'inet') return [both[1]!];
  if (family === 'inet6') return [both[0]!];
  return both;
}

/** The address a tcpip-forward request asks the server to bind (channel_rfwd_bind_host). */
export function remoteBindHost(host: string | undefined): string {
  if (host === undefined) return 'localhost';
  if (host === '' || host === '*') return '';
  return host;
}

/** `host:port` or the path, as OpenSSH's debug and error lines show a target. */
export function describeEndpoint(endpoint: ForwardEndpoint | ForwardSpec['connect']): string {
  if (endpoint.kind === 'socks') return 'socks';
  if (endpoint.kind === 'unix') return endpoint.path;
  return `${endpoint.host ?? ''}:${endpoint.port}`;
}
