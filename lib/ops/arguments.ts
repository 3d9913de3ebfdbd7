import { parseArgs } from 'node:util';
import type { CommandOptions } from './commands/command';
import { usageError } from './errors';

/** Options people reach for that `keel` spells otherwise: the one it means instead. */
const MEANT: Readonly<Record<string, string>> = {
  manifest: 'assembly',
  'cdk-out': 'assembly',
  environment: 'env',
  stage: 'env',
  endpoint: 'endpoint-url',
  role: 'role-arn',
  force: 'yes',
};

/** The edit distance between two words: how many letters to add, drop, change or swap with the next. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i + j));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const change = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + change);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word` when it is plausibly a typo of it (at most a third of its letters off). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; off: number } | undefined;
  for (const candidate of candidates) {
    const off = distance(word.toLowerCase(), candidate.toLowerCase());
    if (off <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || off < best.off)) best = { candidate, off };
  }
  return best?.candidate;
}

/** What the parser is reading: a command's options, under the name its messages use (`keel status`, `keel`). */
export interface ArgumentSpec {
  /** `keel status`, or `keel` before any command. */
  readonly command: string;
  readonly options: CommandOptions;
  /** The help text, to name each option's value as the help does (`--bake <duration>`). */
  readonly usage: string;
  /** Which other command an option is for, to say so when it is given to the wrong one. */
  readonly elsewhere?: (option: string) => string | undefined;
}

/** `--bake <duration>`, as the help names the value. */
function withValue(name: string, usage: string): string {
  const placeholder = new RegExp(`--${name} (<[^>]+>)`).exec(usage)?.[1] ?? '<value>';
  return `--${name} ${placeholder}`;
}

function unknownOption(rawName: string, spec: ArgumentSpec): Error {
  const name = rawName.replace(/^--?/, '');
  const known = Object.keys(spec.options);
  const meant = Object.hasOwn(MEANT, name) && known.includes(MEANT[name]) ? MEANT[name] : closest(name, known);
  const other = spec.elsewhere?.(name);
  const hint = meant
    ? `; did you mean --${meant}? run`
    : `${other ? ` (--${name} is an option of ${other})` : `; it takes ${known.map((o) => `--${o}`).join(', ')}`}; run`;
  return usageError(`${spec.command} has no option ${rawName}${hint} ${spec.command} --help`);
}

/**
 * Checks a command line against `spec` and returns it ready for a strict `parseArgs`, or throws Keel's own one-line
 * usage error: an unknown option (with the one probably meant), an option without its value, a switch given a value.
 * A value that starts with a dash (`--bake -5m`) is taken as the value, for the command to judge, unless it is one of
 * the command's own options (`--env --json` lacks the environment).
 */
function checked(argv: readonly string[], spec: ArgumentSpec): string[] {
  const { tokens } = parseArgs({ args: [...argv], options: spec.options, strict: false, tokens: true });
  const args = [...argv];
  // Every spelling of the command's options, `-y` as well as `--yes`: none of them can be another option's value.
  const optionNames = new Set(
    Object.entries(spec.options).flatMap(([name, option]) => [
      `--${name}`,
      ...(option.short ? [`-${option.short}`] : []),
    ]),
  );
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(spec.options, token.name)) throw unknownOption(token.rawName, spec);
    if (spec.options[token.name].type === 'boolean') {
      if (token.inlineValue)
        throw usageError(`${token.rawName} is a switch and takes no value; write ${token.rawName}`);
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && optionNames.has(value.split('=')[0]))) {
      throw usageError(
        `${token.rawName} needs a value: ${withValue(token.name, spec.usage)}; run ${spec.command} --help`,
      );
    }
    // parseArgs refuses `--bake -5m` as ambiguous; written `--bake=-5m` it is the value the person typed.
    if (!token.inlineValue && value.startsWith('-')) {
      args.splice(token.index, 2, `--${token.name}=${value}`, '');
    }
  }
  return args.filter((arg, index) => arg !== '' || argv[index] === '');
}

/**
 * `parseArgs` in strict mode, with Keel's own one-line messages for every mistake instead of Node's (ArgumentSpec).
 * @throws KeelCliError (usage) naming the option, what is wrong and the fix.
 */
export function parseCommandLine<O extends CommandOptions>(
  argv: readonly string[],
  spec: ArgumentSpec & { options: O },
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>> {
  return parseArgs({ args: checked(argv, spec), options: spec.options, strict: true, allowPositionals: true });
}
