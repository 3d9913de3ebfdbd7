#!/usr/bin/env node
// Checks the HTML compliance report in a real browser: Debian's Chromium, headless, driven by puppeteer-core.
// Usage: node scripts/check-report-in-browser.cjs [--out-dir <dir>] [source ...]   (`npm run report:check`)
//   source  a cloud assembly directory holding keel-compliance.json (rendered with `keel compliance report`'s own
//           renderer), or an .html file (checked as it is). No source: a built-in sample report (hundreds of findings,
//           long construct paths, a cliff of acknowledgments expiring on one day, expired, expiring, stale and open
//           ones), and cdk.out's report when a synth has written one.
// Every page is opened once, from a file, with every request that is not the file itself (or a data: URL) refused:
// the report must be self-contained. It fails (exit 1, one line a page) on a console error, a page error, a failed or
// refused request, or horizontal overflow (the page wider than the window) at 1280 px, at 390 px (a phone) or in print
// (A4, the print stylesheet). For each page it saves screenshots at both widths and a PDF to --out-dir (default
// .scratch/report-check/) and prints where. Exit 2: bad usage, an unreadable source or no Chromium.
// CHROMIUM names another Chrome or Chromium executable than /usr/bin/chromium (scripts/install-chromium.cjs installs
// that one).
/* global window, document, __filename -- window and document in the page's own code, run by tab.evaluate */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { parseArgs } = require('node:util');

const root = path.join(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** The widths checked on screen, and the print check's: A4 (210 mm) less the stylesheet's 12 mm margins, at 96 dpi. */
const SCREENS = [
  { name: 'desktop', width: 1280, height: 900, shot: 1800 },
  { name: 'narrow', width: 390, height: 844, shot: 2400 },
];
const PRINT_WIDTH = Math.floor(((210 - 2 * 12) / 25.4) * 96);

/** Stops with one line on standard error, never a stack trace. */
function usage(message) {
  console.error(`keel: ${message}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: { 'out-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    return usage(`${error.message}; usage: node scripts/check-report-in-browser.cjs [--out-dir <dir>] [source ...]`);
  }
}

/** The keel renderer, through the same TypeScript hook as the `keel` CLI. */
function renderer() {
  require('../bin/typescript-hook.cjs');
  return require('../lib/ops/compliance-report-render.ts');
}

/** An .html file as it is, or a directory's keel-compliance.json rendered to HTML in the output directory. */
function pageOf(source, outDir, name) {
  const resolved = path.resolve(source);
  if (!fs.existsSync(resolved)) usage(`${source} does not exist: pass an assembly directory or an .html file`);
  if (fs.statSync(resolved).isFile()) {
    if (!/\.html?$/i.test(resolved)) usage(`${source} is not an .html file or an assembly directory`);
    return { label: source, name, file: resolved };
  }
  const { loadComplianceReport, renderComplianceReport } = renderer();
  let report;
  try {
    report = loadComplianceReport(resolved);
  } catch (error) {
    usage(error.message);
  }
  const file = path.join(outDir, `${name}.html`);
  fs.writeFileSync(file, renderComplianceReport(report, 'html'));
  return { label: source, name, file };
}

/** What goes wrong on one page, in the order it was seen. */
async function check(browser, page, outDir) {
  const problems = [];
  const tab = await browser.newPage();
  const self = pathToFileURL(page.file).href;
  await tab.setRequestInterception(true);
  const refused = new Set();
  tab.on('request', (request) => {
    const url = request.url();
    if (url === self || url.startsWith('data:')) return void request.continue();
    problems.push(`requested ${url} (the report must be self-contained)`);
    refused.add(url);
    void request.abort();
  });
  tab.on('requestfailed', (request) => {
    const url = request.url();
    if (url === self || url.startsWith('data:'))
      problems.push(`request for ${url} failed (${request.failure()?.errorText})`);
  });
  tab.on('console', (message) => {
    // A refused request is reported above; Chromium's own console line about it would only repeat it.
    if (message.type() === 'error' && !refused.has(message.location()?.url))
      problems.push(`console error: ${message.text()}`);
  });
  tab.on('pageerror', (error) => problems.push(`page error: ${error.message.split('\n')[0]}`));

  const overflow = async (where) => {
    const seen = await tab.evaluate(() => {
      const width = window.innerWidth;
      const scrollWidth = document.scrollingElement.scrollWidth;
      if (scrollWidth <= width) return undefined;
      // The innermost element whose box or content reaches past the window's right edge.
      const past = [...document.body.querySelectorAll('*')].filter((e) => {
        const box = e.getBoundingClientRect();
        return Math.max(box.right, box.left + e.scrollWidth) > width + 0.5;
      });
      const wide = past.find((e) => !past.some((inner) => inner !== e && e.contains(inner)));
      const section = wide?.closest('section[id]');
      const name = wide
        ? `${wide.localName}${typeof wide.className === 'string' && wide.className ? `.${wide.className.split(' ')[0]}` : ''}` +
          (section ? ` in #${section.id}` : '')
        : '';
      return { width, scrollWidth, name };
    });
    if (seen) {
      const widest = seen.name ? `; the innermost element past the edge: ${seen.name}` : '';
      problems.push(`horizontal overflow ${where}: the page is ${seen.scrollWidth}px wide in ${seen.width}px${widest}`);
    }
  };

  await tab.setViewport({ width: SCREENS[0].width, height: SCREENS[0].height });
  await tab.goto(self, { waitUntil: 'load' });
  const saved = [];
  for (const screen of SCREENS) {
    await tab.setViewport({ width: screen.width, height: screen.height });
    await overflow(`at ${screen.width}px`);
    const shot = path.join(outDir, `${page.name}-${screen.width}.png`);
    const height = await tab.evaluate(() => document.scrollingElement.scrollHeight);
    // The top of the page, where the result, its numbers and the charts are; the PDF holds all of it.
    const clip = { x: 0, y: 0, width: screen.width, height: Math.min(height, screen.shot) };
    await tab.screenshot({ path: shot, clip, captureBeyondViewport: true, optimizeForSpeed: true });
    saved.push(shot);
  }
  await tab.emulateMediaType('print');
  await tab.setViewport({ width: PRINT_WIDTH, height: 1000 });
  await overflow('in print (A4)');
  const pdf = path.join(outDir, `${page.name}.pdf`);
  await tab.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  saved.push(pdf);
  await tab.close();
  return { problems, saved };
}

async function main() {
  const { values, positionals } = parse();
  if (values.help) {
    const lines = fs.readFileSync(__filename, 'utf8').split('\n').slice(1);
    const header = lines.slice(
      0,
      lines.findIndex((line) => !line.startsWith('//')),
    );
    console.log(header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
    return 0;
  }
  if (!fs.existsSync(CHROMIUM))
    usage(
      `no Chromium at ${CHROMIUM}: run 'node scripts/install-chromium.cjs' (npm run setup), or set CHROMIUM to a Chrome or Chromium executable`,
    );
  const outDir = path.resolve(values['out-dir'] ?? path.join(root, '.scratch', 'report-check'));
  fs.mkdirSync(outDir, { recursive: true });

  const names = new Set();
  const nameOf = (source) => {
    const base =
      path
        .basename(source)
        .replace(/\.html?$/i, '')
        .replace(/[^\w.-]+/g, '-') || 'report';
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base}-${i}`;
    names.add(name);
    return name;
  };
  const pages = positionals.map((source) => pageOf(source, outDir, nameOf(source)));
  if (positionals.length === 0) {
    const sample = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-report-sample-'));
    try {
      fs.writeFileSync(path.join(sample, 'keel-compliance.json'), JSON.stringify(sampleReport()));
      pages.push({ ...pageOf(sample, outDir, nameOf('sample')), label: 'the built-in sample report' });
    } finally {
      fs.rmSync(sample, { recursive: true, force: true });
    }
    if (fs.existsSync(path.join(root, 'cdk.out', 'keel-compliance.json')))
      pages.push(pageOf(path.join(root, 'cdk.out'), outDir, nameOf('cdk.out')));
  }

  const puppeteer = require('puppeteer-core');
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root (CI containers) cannot use Chromium's sandbox; /dev/shm in containers is too small for it.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu'],
  });
  let failed = 0;
  try {
    // One tab at a time: Chromium throttles the painting of tabs in the background, screenshots included.
    for (const page of pages) {
      const { problems, saved } = await check(browser, page, outDir);
      if (problems.length > 0) {
        failed++;
        console.error(`keel: report check failed for ${page.label}: ${[...new Set(problems)].join('; ')}`);
      } else {
        const files = saved.map((f) => path.relative(process.cwd(), f) || f).join(', ');
        console.log(
          `ok ${page.label}: no console error, failed request or overflow at 1280px, 390px and print; saved ${files}`,
        );
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots and PDFs are in ${outDir}`);
  return failed > 0 ? 1 : 0;
}

/**
 * A report that strains the layout: hundreds of findings over many rules and packs, construct paths 150+ characters
 * long with one unbreakable segment, reasons with markup in them, a cliff (120 acknowledgments expiring on one day),
 * expired, expiring, stale, not-evaluated and renewed acknowledgments, and open findings.
 */
function sampleReport() {
  const generatedAt = '2027-01-10T09:30:00.000Z';
  const day = (offset) => new Date(Date.parse('2027-01-10') + offset * 86_400_000).toISOString().slice(0, 10);
  const stacks = ['PaymentsReconciliationService-production-eu-west-1', 'Orders-dev', 'Orders-prod', 'Search-staging'];
  const packs = ['AwsSolutions', 'NIST.800.53.R5', 'KeelChecks', 'Serverless', 'CloudFormation Validate'];
  const pathOf = (i) =>
    `${stacks[i % stacks.length]}/Service/Service/Handlers/SettlementBatchProcessorWithAVeryLongName${i}/` +
    `${i % 7 === 0 ? 'x'.repeat(90) : 'ServiceRole/DefaultPolicy'}/Resource`;
  const rules = Array.from({ length: 30 }, (_, r) => {
    const source = packs[r % 4];
    const findings = Array.from({ length: r === 0 ? 400 : (r * 7) % 23 }, (_, i) => pathOf(r * 31 + i));
    const open = r % 9 === 4 ? findings.slice(0, 2) : [];
    return {
      ruleId: `${source}-Rule${r}${r % 5 === 0 ? '[Resource::arn:aws:s3:::bucket-with-a-long-name/*]' : ''}`,
      source,
      severity: 'error',
      info: `Rule ${r} checks something <important> & "quoted".`,
      open: open.map((p) => ({ path: p, findingId: `${source}-Rule${r}` })),
      acknowledged: findings
        .slice(open.length)
        .map((p) => ({ path: p, findingId: `${source}-Rule${r}`, acknowledgedAt: p })),
    };
  });
  const offsets = (i) => (i < 120 ? 45 : i < 130 ? -3 : i < 150 ? 12 : 60 + ((i * 37) % 300));
  const acknowledgments = Array.from({ length: 320 }, (_, i) => ({
    id: rules[i % rules.length].ruleId,
    reason: `Reason ${i}: acceptable because <script>alert(1)</script> is text here & the path is ${pathOf(i)}.`,
    owner: i % 3 ? 'platform' : 'payments-reconciliation-team',
    expires: day(offsets(i)),
    site: `lib/services/payments/reconciliation/infrastructure/settlement-batch-processor.ts:${i + 10}`,
    path: i % 50 === 0 ? '' : pathOf(i),
    ...(i % 40 === 1 ? { renewal: { previousExpiry: day(-20), reviewer: 'security-review' } } : {}),
    daysLeft: offsets(i),
    findingsCovered: i % 11 === 0 ? 0 : 1 + (i % 4),
    evaluated: i % 13 !== 0,
    stale: i % 11 === 0 && i % 13 !== 0,
  }));
  const total = rules.reduce((n, r) => n + r.open.length + r.acknowledged.length, 0);
  const open = rules.reduce((n, r) => n + r.open.length, 0);
  return {
    version: 1,
    generatedAt,
    enabled: true,
    result: open > 0 ? 'fail' : 'pass',
    packs: packs.map((name, i) => ({ name, stacks: i === 1 ? [stacks[0]] : stacks, resourcesChecked: 1234 - i })),
    stacks: stacks.length,
    resourcesChecked: 1234,
    findings: { total, acknowledged: total - open, open },
    rules,
    acknowledgments,
    warnings: ['3 acknowledgments expired: ' + pathOf(3)],
  };
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`keel: report check could not run: ${String(error.message ?? error).split('\n')[0]}`);
    process.exit(1);
  },
);
