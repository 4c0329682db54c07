/**
 * CanonicalizeHostname (OpenSSH ssh.c resolve_canonicalize): an unqualified host name with at most
 * CanonicalizeMaxDots dots is tried with each CanonicalDomains suffix; the first that resolves becomes
 * the host name, and the configuration is read again with `Match canonical` true. Not done through a
 * proxy unless `always`; a name that resolves nowhere is fatal without CanonicalizeFallbackLocal.
 *
 * Configuration is evaluated synchronously, so the lookups run in a short-lived child Node process
 * (only when canonicalisation is on). CNAME following (CanonicalizePermittedCNAMEs) is not done.
 */
import { spawnSync } from 'node:child_process';
import { ipLiteralVersion } from '../net/ip-literal.js';
import { TsshError } from '../errors.js';
import type { ConfigLog } from '../log.js';
import type { SettingsStore } from '../config/store.js';

/** Which of `names` resolve (in the same order); undefined entries did not. */
export type HostnameResolver = (names: readonly string[]) => boolean[];

/** Resolves names with the system resolver (getaddrinfo, as ssh does) in a child process. */
export const systemResolver: HostnameResolver = (names) => {
  const script =
    "const dns=require('node:dns');const names=JSON.parse(process.argv[1]);" +
    'Promise.all(names.map((n)=>dns.promises.lookup(n).then(()=>true,()=>false))).then((r)=>process.stdout.write(JSON.stringify(r)));';
  const result = spawnSync(process.execPath, ['-e', script, JSON.stringify(names)], { encoding: 'utf8', timeout: 30_000 });
  try {
    const parsed = JSON.parse(result.stdout) as boolean[];
    return names.map((_, i) => parsed[i] === true);
  } catch {
    return names.map(() => false);
  }
};

/**
 * The canonical host name for `host` under the settings obtained so far, or undefined when
 * canonicalisation is off, does not apply, or failed with fallback allowed. Throws OpenSSH's fatal
 * error when nothing resolved and CanonicalizeFallbackLocal is off.
 */
export function canonicalizeHostname(host: string, store: SettingsStore, resolve: HostnameResolver, log: ConfigLog): string | undefined {
  const mode = store.string('CanonicalizeHostname') ?? 'no';
  if (mode === 'no' || ipLiteralVersion(host) !== 0) return undefined;
  const proxied = (store.has('ProxyCommand') && store.string('ProxyCommand')?.toLowerCase() !== 'none') || (store.has('ProxyJump') && store.string('ProxyJump')?.toLowerCase() !== 'none');
  if (proxied && mode !== 'always') return undefined;
  let candidates: string[];
  if (host.endsWith('.')) {
    log('DEBUG3', 'resolve_canonicalize: name is fully qualified');
    candidates = [host];
  } else {
    const maxDots = store.number('CanonicalizeMaxDots') ?? 1;
    if (host.split('.').length - 1 > maxDots) {
      log('DEBUG3', `resolve_canonicalize: not canonicalizing hostname "${host}" (max dots ${maxDots})`);
      return undefined;
    }
    candidates = store.list('CanonicalDomains').filter((d) => d !== 'none').map((domain) => `${host}.${domain}.`);
    for (const candidate of candidates) log('DEBUG3', `resolve_canonicalize: attempting "${host}" => "${candidate}"`);
  }
  const found = candidates.length === 0 ? [] : resolve(candidates);
  const index = found.indexOf(true);
  if (index >= 0) {
    const canonical = candidates[index]!.slice(0, -1);
    log('DEBUG1', `Canonicalized hostname "${host}" => "${canonical}"`);
    return canonical;
  }
  if (store.boolean('CanonicalizeFallbackLocal') === false) throw new TsshError('CONFIG', `tssh: Could not resolve host "${host}"`);
  log('DEBUG2', `resolve_canonicalize: host ${host} not found in any suffix`);
  return undefined;
}
