/**
 * Tiny flag parser for the database commands (`qhft migrate`, `qhft
 * load-journal`): `--name value`, `--name=value`, boolean `--name`, and
 * positionals. Unknown flags and missing values are errors (exit code 2).
 * Cold path.
 */

export class FlagError extends Error {}

export interface FlagSpec {
  /** Flags that take a value. */
  values: readonly string[];
  /** Boolean flags. */
  bools: readonly string[];
}

export interface Flags {
  values: Map<string, string>;
  bools: Set<string>;
  positionals: string[];
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): Flags {
  const out: Flags = { values: new Map(), bools: new Set(), positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.bools.includes(name)) {
      if (eq > 0) throw new FlagError(`--${name} takes no value`);
      out.bools.add(name);
    } else if (spec.values.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '' || (eq < 0 && v.startsWith('--'))) throw new FlagError(`--${name} needs a value`);
      out.values.set(name, v);
    } else {
      throw new FlagError(`unknown flag --${name}`);
    }
  }
  return out;
}
