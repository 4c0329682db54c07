import type { Logger } from '../log.js';
import type { AuthMethod } from './method.js';

const NOT_IMPLEMENTED = new Set(['gssapi-with-mic', 'hostbased', 'none']);

/**
 * Picks the next method the way OpenSSH's authmethod_get does: walk the client's preference list,
 * taking methods the server allows and the options enable. The same method is kept while it has more
 * to try (another key, another password attempt); a new list from the server starts the walk over.
 */
export class MethodSelector {
  private serverList: string | undefined;
  private position = 0;
  private current: AuthMethod | undefined;
  private readonly disabled = new Set<string>();

  constructor(
    private readonly preferred: readonly string[],
    private readonly methods: ReadonlyMap<string, AuthMethod>,
    private readonly enabledByOptions: (name: string) => boolean,
    private readonly log: Logger,
  ) {}

  /** A method that sent nothing is off for the rest of the connection. */
  disable(name: string): void {
    this.disabled.add(name);
  }

  next(serverMethods: readonly string[]): AuthMethod | undefined {
    const allowed = serverMethods.length === 0 ? this.preferred : serverMethods;
    const listed = allowed.join(',');
    if (listed !== this.serverList) {
      this.log.debug3(`start over, passed a different list ${listed}`);
      this.serverList = listed;
      this.position = 0;
      this.current = undefined;
    } else if (this.current !== undefined && this.isEnabled(this.current.name)) {
      return this.current;
    }
    while (this.position < this.preferred.length) {
      const name = this.preferred[this.position++]!;
      if (!allowed.includes(name)) continue;
      const method = this.methods.get(name);
      if (method === undefined) {
        // gssapi-with-mic and hostbased are OpenSSH methods tssh does not implement: off, like disabled ones.
        if (!NOT_IMPLEMENTED.has(name)) this.log.debug2(`Unrecognized authentication method name: ${name}`);
        continue;
      }
      if (this.isEnabled(name)) {
        this.log.debug1(`Next authentication method: ${name}`);
        this.current = method;
        return method;
      }
    }
    this.log.debug1('No more authentication methods to try.');
    this.current = undefined;
    return undefined;
  }

  private isEnabled(name: string): boolean {
    return !this.disabled.has(name) && this.enabledByOptions(name);
  }
}
