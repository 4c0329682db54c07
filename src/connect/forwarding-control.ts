/**
 * What the interactive session's escapes need from port forwarding: `~#` lists forwarded connections,
 * `~C` adds and cancels forwards, `~&` stops accepting new ones. The forwarding code implements it and
 * hands it to runRemoteSession; without an implementation the escapes say forwarding is unavailable.
 */

export type ForwardKind = 'local' | 'remote' | 'dynamic';

/** The outcome of `~C -L/-R/-D spec`; each maps to ssh's message (see escape-commandline.ts). */
export type ForwardRequestResult = 'ok' | 'bad-specification' | 'failed';

/** The outcome of `~C -KL/-KR/-KD spec`. */
export type ForwardCancelResult = 'ok' | 'bad-specification' | 'unknown';

export interface ForwardingControl {
  /**
   * One line per open forwarded connection for `~#`, in OpenSSH's format without the line end, e.g.
   * `  #2 direct-tcpip: listening port 8080 for localhost port 80, connect from 127.0.0.1 port 51234 to
   * 127.0.0.1 port 8080 (t4 ...)`.
   */
  listConnections(): string[];
  /** Sets up a forward from a `-L`/`-R`/`-D` argument (the text after the letter). */
  request(kind: ForwardKind, specification: string): Promise<ForwardRequestResult>;
  /** Cancels a forward given by a `-KL`/`-KR`/`-KD` argument. */
  cancel(kind: ForwardKind, specification: string): Promise<ForwardCancelResult>;
  /** `~&`: stop listening for new forwarded connections; existing ones continue. */
  stopListening(): void;
}
