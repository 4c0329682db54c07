/** Every fuzz target: each parser that reads input from outside tssh. */
import type { FuzzTarget } from '../engine.js';
import { identification, kexinit, packetCodec, wireReader } from './wire.js';
import { kexReplies } from './kex.js';
import { userauth } from './auth.js';
import { channelMessages } from './channels.js';
import { sessionStream } from './session.js';
import { agentReplies, knownHosts, privateKeyContainer, privateKeyText, publicKeys, socksRequests, sshConfig } from './files.js';

export const TARGETS: readonly FuzzTarget[] = [
  wireReader,
  identification,
  packetCodec,
  kexinit,
  kexReplies,
  userauth,
  channelMessages,
  sessionStream,
  privateKeyContainer,
  privateKeyText,
  publicKeys,
  knownHosts,
  sshConfig,
  agentReplies,
  socksRequests,
];
