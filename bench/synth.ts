// npm run bench: whole-process synth timings, taken side by side in one run and printed as ratios.
//
// Each variant runs as its own process, started as cdk.json's app command starts bin/app.ts (node with Keel's
// TypeScript hook), with the environment the CDK CLI gives an app (CDK_OUTDIR, CDK_CONTEXT_JSON with cdk.json's
// context), so the figures are what `cdk synth` waits for, without the CLI's own start-up. The empty app runs the
// same way, so the hook is no part of any ratio. Rounds are interleaved so that drift of the machine hits every
// variant alike.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};
// cdk.json's app is `node <options> bin/app.ts`: each variant runs `node <options> <its app>`.
const [node, ...nodeOptions] = cdkJson.app.split(' ');
const appEntry = nodeOptions.pop();
if (node !== 'node' || appEntry !== 'bin/app.ts') {
  throw new Error(`bench/synth.ts expects cdk.json's app to be "node <options> bin/app.ts", not "${cdkJson.app}"`);
}
// Keel's own caches: compiled TypeScript (bin/typescript-hook.cjs), the CloudFormation validator's findings and
// Control Tower's results (constructs/governance/result-cache.ts).
const KEEL_CACHE = process.env.KEEL_CACHE_DIRECTORY ?? path.join(ROOT, 'node_modules', '.cache', 'keel');

interface Variant {
  readonly name: string;
  readonly app: string;
  readonly context?: Record<string, string>;
  /** The first synth of a fresh clone: none of Keel's caches. */
  readonly cold?: boolean;
}

interface Figure {
  /** The name BENCH_FIGURES selects it by. */
  readonly key: string;
  readonly label: string;
  readonly variants: readonly Variant[];
  /** The figure for one round, from the variants' seconds in that round, in the order of `variants`. */
  readonly of: (seconds: readonly number[]) => number;
  readonly budget: number;
}

const reference: Variant = { name: 'reference app (bin/app.ts)', app: 'bin/app.ts' };
const empty: Variant = { name: 'empty aws-cdk-lib app', app: 'bench/apps/empty.ts' };
const referenceCold: Variant = { ...reference, name: 'reference app, cold caches', cold: true };
const emptyCold: Variant = { ...empty, name: 'empty aws-cdk-lib app, cold caches', cold: true };
const nonProd = { 'keel:environments': 'dev,staging' };
const complianceOn: Variant = { name: 'reference, dev+staging, compliance on', app: 'bin/app.ts', context: nonProd };
const complianceOff: Variant = {
  name: 'reference, dev+staging, compliance off',
  app: 'bin/app.ts',
  context: { ...nonProd, 'keel:compliance': 'off' },
};
const generated = (count: number, services?: string): Variant => ({
  name: `${count} generated service${count === 1 ? '' : 's'}${services ? `, -c keel:services=${services}` : ''}`,
  app: 'bench/apps/generated-services.ts',
  context: { 'keel:bench:services': String(count), ...(services ? { 'keel:services': services } : {}) },
});
const generatedContainers = (count: number): Variant => ({
  name: `${count} generated container service${count === 1 ? '' : 's'}`,
  app: 'bench/apps/generated-services.ts',
  context: { 'keel:bench:services': String(count), 'keel:bench:compute': 'fargate' },
});
const oneService = generated(1);
const fiftyServices = generated(50);
const oneOfFifty = generated(50, 'service-001');
const ratio = ([top, bottom]: readonly number[]) => top / bottom;

// BENCH_FIGURES=a,b measures only those figures: (c), (d) and (d') take minutes a round.
const selected = (process.env.BENCH_FIGURES ?? "a,a',b,c,d,d'").split(',').map((key) => key.trim());
const figures: Figure[] = [
  { key: 'a', label: '(a) reference ÷ empty, warm', variants: [reference, empty], of: ratio, budget: 1.0 },
  { key: "a'", label: "(a') reference ÷ empty, cold", variants: [referenceCold, emptyCold], of: ratio, budget: 2.0 },
  { key: 'b', label: '(b) compliance on ÷ off', variants: [complianceOn, complianceOff], of: ratio, budget: 1.25 },
  { key: 'c', label: '(c) 1 of 50 services ÷ 1', variants: [oneOfFifty, oneService], of: ratio, budget: 1.1 },
  {
    key: 'd',
    label: '(d) one more service ÷ empty',
    variants: [fiftyServices, oneService, empty],
    of: ([t50, t1, floor]: readonly number[]) => (t50 - t1) / 49 / floor,
    budget: 0.25,
  },
  {
    key: "d'",
    label: "(d') one more container service ÷ empty",
    variants: [generatedContainers(10), generatedContainers(1), empty],
    of: ([t10, t1, floor]: readonly number[]) => (t10 - t1) / 9 / floor,
    budget: 0.25,
  },
].filter((figure) => selected.includes(figure.key));
const variants = [...new Set(figures.flatMap((figure) => figure.variants))];

/**
 * Runs `synth` as the first synth of a fresh clone: Keel's caches are moved aside and put back afterwards, so the
 * warm variants stay warm.
 */
function withColdCaches<T>(synth: () => T): T {
  const aside = `${KEEL_CACHE}.bench-aside`;
  fs.rmSync(aside, { recursive: true, force: true }); // left by a run that was stopped midway
  if (fs.existsSync(KEEL_CACHE)) fs.renameSync(KEEL_CACHE, aside);
  try {
    return synth();
  } finally {
    fs.rmSync(KEEL_CACHE, { recursive: true, force: true });
    if (fs.existsSync(aside)) fs.renameSync(aside, KEEL_CACHE);
  }
}

function run(variant: Variant): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-'));
  const context = {
    ...cdkJson.context,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': true,
    'aws:cdk:bundling-stacks': ['**'],
    ...variant.context,
  };
  const synth = () => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [...nodeOptions, variant.app], {
      cwd: ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      encoding: 'utf8',
    });
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
  };
  const { seconds, result } = variant.cold ? withColdCaches(synth) : synth();
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`${variant.name} failed (exit ${result.status}):\n${result.stderr.slice(-3000)}`);
  }
  return seconds;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const stats = (values: readonly number[]) =>
  `min ${Math.min(...values).toFixed(2)}  median ${median(values).toFixed(2)}  max ${Math.max(...values).toFixed(2)}`;

console.log(`Keel synth benchmark: ${ROUNDS} interleaved rounds on ${os.cpus().length} cores, node ${process.version}`);
console.log(
  `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${new Date().toISOString()}\n`,
);
// Warm-up: Keel's caches, esbuild, the file cache. A cold variant needs none (its caches are
// emptied anyway, and the warm variants warm the file cache, as npm install does before a fresh clone's first synth).
for (const variant of variants) if (!variant.cold) run(variant);
const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = variants.map((_, i) => variants[(i + round) % variants.length]);
  for (const variant of order) times.get(variant)?.push(run(variant));
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

console.log('seconds per synth');
const width = Math.max(...variants.map((variant) => variant.name.length));
for (const variant of variants) console.log(`  ${variant.name.padEnd(width)}  ${stats(times.get(variant) ?? [])}`);
console.log('\nfigures (per round)');
let over = 0;
for (const figure of figures) {
  const perRound = Array.from({ length: ROUNDS }, (_, round) =>
    figure.of(figure.variants.map((variant) => times.get(variant)?.[round] ?? NaN)),
  );
  const m = median(perRound);
  const budget = figure.budget;
  const verdict = m <= budget ? 'within budget' : `OVER budget by ${(((m - budget) / budget) * 100).toFixed(0)}%`;
  if (m > budget) over++;
  console.log(`  ${figure.label.padEnd(32)} ${stats(perRound)}  budget ≤ ${budget}  ${verdict}`);
}
console.log(over === 0 ? '\nall budgets met' : `\n${over} budget(s) missed: see README.md, Performance`);
