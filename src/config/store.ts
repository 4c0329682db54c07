/**
 * The settings being collected from the command line and config files, keyed by canonical keyword
 * name. ssh_config's rule is "the first obtained value wins", so the normal way in is `setFirst`;
 * accumulating keywords `append`; a few command-line flags `force` their value as ssh does.
 */

/** A stored value: the parsed form of one keyword's arguments. */
export type SettingValue = string | number | boolean | readonly string[] | readonly [string, string][];

export class SettingsStore {
  private readonly values = new Map<string, SettingValue>();

  /** Names of every setting obtained so far. */
  names(): string[] {
    return [...this.values.keys()];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Sets the value unless one was already obtained. Returns true if it was set. */
  setFirst(name: string, value: SettingValue): boolean {
    if (this.values.has(name)) return false;
    this.values.set(name, value);
    return true;
  }

  /** Sets the value whatever was there (flags such as -c, -C, -T that override). */
  force(name: string, value: SettingValue): void {
    this.values.set(name, value);
  }

  /** Appends to a list setting; with `unique`, entries already present are skipped. */
  append(name: string, items: readonly string[], unique = false): void {
    const current = [...this.list(name)];
    for (const item of items) if (!unique || !current.includes(item)) current.push(item);
    this.values.set(name, current);
  }

  /** Replaces a list setting (SendEnv removals). */
  replaceList(name: string, items: readonly string[]): void {
    this.values.set(name, [...items]);
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  number(name: string): number | undefined {
    const value = this.values.get(name);
    return typeof value === 'number' ? value : undefined;
  }

  boolean(name: string): boolean | undefined {
    const value = this.values.get(name);
    return typeof value === 'boolean' ? value : undefined;
  }

  list(name: string): readonly string[] {
    const value = this.values.get(name);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : [];
  }

  /** A stored list, or undefined if the keyword was never obtained. */
  optionalList(name: string): readonly string[] | undefined {
    return this.values.has(name) ? this.list(name) : undefined;
  }

  pairs(name: string): readonly [string, string][] {
    const value = this.values.get(name);
    return Array.isArray(value) && value.every((item) => Array.isArray(item)) ? (value as [string, string][]) : [];
  }
}
