/**
 * Hints for "Permission denied (...)": which identities were tried and what became of each, whether the
 * agent was reachable, and the most likely cause. Only types, fingerprints and file names are shown.
 */
import type { AgentStatus, AuthError, PublicKeyAttempt, PublicKeyOutcome, PublicKeyReport } from '../../errors.js';
import { keyTypeLabel } from '../../hostkeys/key-blob.js';

const OUTCOME: Record<PublicKeyOutcome, string> = {
  refused: 'refused by the server',
  'signature-refused': 'accepted by the server (PK_OK), then its signature was refused',
  'no-mutual-algorithm': 'not offered: neither the server\'s server-sig-algs nor PubkeyAcceptedAlgorithms allow its type',
  'not-loaded': 'not used: its private key could not be loaded',
  'signing-failed': 'accepted by the server (PK_OK), but signing failed',
};

function agentLine(agent: AgentStatus): string {
  switch (agent.state) {
    case 'unused':
      return 'agent: not used (no SSH_AUTH_SOCK or IdentityAgent)';
    case 'unreachable':
      return `agent: unreachable (${agent.reason})`;
    case 'connected':
      return `agent: connected, ${agent.keys} of its keys in the list to try`;
  }
}

function attemptLine(a: PublicKeyAttempt): string {
  const key = a.keyType !== undefined ? `${keyTypeLabel(a.keyType)} ${a.fingerprint} ` : '';
  return `${key}${a.label}${a.source === 'agent' ? ' (agent)' : ''}: ${OUTCOME[a.outcome]}`;
}

/**
 * An RSA key and a server that verifies only SHA-1 RSA signatures (server-sig-algs ssh-rsa): tssh, as
 * ssh, proposes ssh-rsa only when asked, so name the option and its risk.
 */
function sha1RsaRemedy(pk: PublicKeyReport): string {
  const rsaSkipped = pk.attempts.some((a) => a.outcome === 'no-mutual-algorithm' && a.keyType === 'ssh-rsa');
  const onlySha1 = pk.serverSigAlgs?.includes('ssh-rsa') === true && !pk.serverSigAlgs.some((n) => n.startsWith('rsa-sha2-'));
  return rsaSkipped && onlySha1 ? '; to use the RSA key anyway: -oPubkeyAcceptedAlgorithms=+ssh-rsa (risk: SHA-1, open to collision attacks)' : '';
}

/** The likeliest reason, most specific first. */
function likelyCause(err: AuthError, pk: PublicKeyReport): string {
  const outcomes = new Set(pk.attempts.map((a) => a.outcome));
  if (!err.methodsLeft.includes('publickey')) return `the server takes no publickey for ${err.user}; it allows only ${err.methodsLeft.join(',')}${pk.batchMode ? ' (and BatchMode runs nothing that asks a person)' : ''}`;
  if (pk.identities === 0 && pk.identitiesOnly && pk.agent.state === 'connected') return 'no identities at all: IdentitiesOnly=yes leaves out the agent\'s keys that no IdentityFile names (name one with -i, or -oIdentitiesOnly=no)';
  if (pk.identities === 0) return 'no identities at all: no key file was found and no agent key is usable (make one with ssh-keygen, or name one with -i)';
  if (outcomes.has('not-loaded') && pk.batchMode) return 'a key was skipped: an encrypted key is not unlocked under BatchMode (load it with ssh-add, or drop BatchMode)';
  if (outcomes.has('signature-refused') || outcomes.has('signing-failed')) return 'the server knows the key but its signature did not verify or could not be made (a security key not touched, an agent that refused)';
  if (outcomes.has('no-mutual-algorithm')) return `a key type the server does not accept: its server-sig-algs are ${pk.serverSigAlgs?.join(',') ?? '(not sent)'}${sha1RsaRemedy(pk)}`;
  if (outcomes.has('refused')) return `the server knows none of the offered keys: add the public key to ~${err.user}/.ssh/authorized_keys on ${err.host}, or check the user name (${err.user})`;
  return 'no identity could be offered';
}

export function authHints(err: AuthError): string[] {
  const pk = err.publicKey;
  if (pk === undefined) return [];
  const lines = [agentLine(pk.agent), `identities to try: ${pk.identities}`];
  for (const attempt of pk.attempts) lines.push(`  ${attemptLine(attempt)}`);
  if (err.methodsLeft.includes('password') && pk.batchMode) lines.push('password: not asked under BatchMode');
  lines.push(`likely cause: ${likelyCause(err, pk)}`);
  return lines;
}
