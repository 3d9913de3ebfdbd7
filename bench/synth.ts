// npm run bench: whole-process synth timings, taken side by side in one run and printed as ratios.
//
// Each variant runs as its own `node --import tsx <app>` process with the environment the CDK CLI gives an app
// (CDK_OUTDIR, CDK_CONTEXT_JSON with cdk.json's context), so the figures are what `cdk synth` waits for, without
// the CLI's own start-up. Rounds are interleaved so that drift of the machine hits every variant alike.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

interface Variant {
  readonly name: string;
  readonly app: string;
  readonly context?: Record<string, string>;
}

interface Comparison {
  readonly label: string;
  readonly numerator: Variant;
  readonly denominator: Variant;
  readonly budget: number;
}

const reference: Variant = { name: 'reference app (bin/app.ts)', app: 'bin/app.ts' };
const empty: Variant = { name: 'empty aws-cdk-lib app', app: 'bench/apps/empty.ts' };
const nonProd = { 'keel:environments': 'dev,staging' };
const complianceOn: Variant = { name: 'reference, dev+staging, compliance on', app: 'bin/app.ts', context: nonProd };
const complianceOff: Variant = {
  name: 'reference, dev+staging, compliance off',
  app: 'bin/app.ts',
  context: { ...nonProd, 'keel:compliance': 'off' },
};
const oneService: Variant = {
  name: '1 generated service',
  app: 'bench/apps/generated-services.ts',
  context: { 'keel:bench:services': '1' },
};
const fiftyServices: Variant = {
  name: '50 generated services',
  app: 'bench/apps/generated-services.ts',
  context: { 'keel:bench:services': '50' },
};

// BENCH_FIGURES=a,b measures only those figures: (c) alone takes minutes a round.
const figures = (process.env.BENCH_FIGURES ?? 'a,b,c').split(',');
const comparisons: Comparison[] = [
  { label: '(a) reference ÷ empty', numerator: reference, denominator: empty, budget: 1.6 },
  { label: '(b) compliance on ÷ off', numerator: complianceOn, denominator: complianceOff, budget: 1.25 },
  { label: '(c) 50 services ÷ 1', numerator: fiftyServices, denominator: oneService, budget: 3.0 },
].filter((c) => figures.includes(c.label.slice(1, 2)));
const variants = [...new Set(comparisons.flatMap((c) => [c.numerator, c.denominator]))];

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
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', 'tsx', variant.app], {
    cwd: ROOT,
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
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
for (const variant of variants) run(variant); // warm-up: tsx's transform cache, esbuild, the file cache
const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = variants.map((_, i) => variants[(i + round) % variants.length]);
  for (const variant of order) times.get(variant)?.push(run(variant));
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

console.log('seconds per synth');
for (const variant of variants) console.log(`  ${variant.name.padEnd(42)} ${stats(times.get(variant) ?? [])}`);
console.log('\nratios (per round)');
let over = 0;
for (const c of comparisons) {
  const top = times.get(c.numerator) ?? [];
  const bottom = times.get(c.denominator) ?? [];
  const ratios = top.map((t, i) => t / bottom[i]);
  const m = median(ratios);
  const verdict = m <= c.budget ? 'within budget' : `OVER budget by ${(((m - c.budget) / c.budget) * 100).toFixed(0)}%`;
  if (m > c.budget) over++;
  console.log(`  ${c.label.padEnd(26)} ${stats(ratios)}  budget ≤ ${c.budget}  ${verdict}`);
}
console.log(over === 0 ? '\nall budgets met' : `\n${over} budget(s) missed: see README.md, Performance`);
