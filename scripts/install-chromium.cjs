#!/usr/bin/env node
// Installs Debian's Chromium, pinned, for the compliance report's browser check (scripts/check-report-in-browser.cjs):
//   chromium and chromium-common 156.0.8078.114-1~deb12u1 (bookworm-security), with fonts-liberation, by apt-get,
//   without recommended packages (a desktop's worth: printing, audio, avahi) that a headless browser does not use.
// Usage: node scripts/install-chromium.cjs [--dry-run]   (`npm run setup` and `npm test`'s pretest run it)
// When /usr/bin/chromium is there it does nothing, at once and silently, whatever its version: the pin is what a fresh
// machine (CI) gets. Debian keeps only the newest security build of Chromium in its mirror, so when the pinned one is
// gone it installs the version apt offers instead, says so in one line, and asks for the pin below to be moved: a
// newer Chromium with its security fixes beats a failed CI run, and the check asserts layout, not a browser build.
// KEEL_BROWSER_CHECK=off installs nothing (the service pipelines set it: their Ubuntu build image has no apt Chromium).
// CHROMIUM names a Chrome or Chromium to use instead (macOS, other Linux): nothing is installed, and it must exist.
// apt-get needs root, or sudo without a password; otherwise it fails in one line naming the command to run.
// --dry-run decides as for a machine without Chromium, from apt's package lists as they are, and prints the apt-get
// command it would run instead of running it: no root needed, nothing changes.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

/** The Debian package version installed on a machine without Chromium. Move it when Debian ships a new build. */
const PIN = '156.0.8078.114-1~deb12u1';
const CHROMIUM = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';

/** Stops with one line on standard error: what failed and how to fix it, never a stack trace. */
function fail(message) {
  console.error(`keel: ${message}`);
  process.exit(1);
}

const dryRun = process.argv.slice(2).includes('--dry-run');
for (const arg of process.argv.slice(2)) {
  if (arg !== '--dry-run') fail(`unknown argument ${JSON.stringify(arg)}: the only option is --dry-run`);
}

if (process.env.KEEL_BROWSER_CHECK === 'off') {
  // The service pipelines' build image (Ubuntu, no apt Chromium) sets it: npm test skips the browser check there.
  console.error(
    "keel: KEEL_BROWSER_CHECK=off: Chromium is not installed, and npm test skips the audit report's browser check",
  );
  process.exit(0);
}
if (process.env.CHROMIUM) {
  if (fs.existsSync(process.env.CHROMIUM)) process.exit(0);
  fail(
    `CHROMIUM=${process.env.CHROMIUM} does not exist: point it at a Chrome or Chromium executable, or unset it to ` +
      `install Debian's chromium ${PIN} at ${CHROMIUM}`,
  );
}
if (fs.existsSync(CHROMIUM) && !dryRun) process.exit(0);

if (!fs.existsSync(APT_GET)) {
  fail(
    `Chromium is needed for the compliance report's browser check, and this system has no ${CHROMIUM} and no ` +
      'apt-get to install it: install Chrome or Chromium and set CHROMIUM to its executable',
  );
}
const root = process.getuid?.() === 0;
const sudo = root || dryRun ? [] : ['sudo', '-n'];
if (sudo.length > 0 && spawnSync('sudo', ['-n', 'true']).status !== 0) {
  fail(
    `Chromium is needed for the compliance report's browser check, and installing it needs root: run ` +
      `'sudo apt-get install -y --no-install-recommends chromium=${PIN} chromium-common=${PIN} fonts-liberation', ` +
      'or set CHROMIUM to a Chrome or Chromium executable',
  );
}

/** Runs apt-get (through sudo when not root); its output goes to the terminal. */
function aptGet(args) {
  const [command, ...rest] = [...sudo, APT_GET, ...args];
  const result = spawnSync(command, rest, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/** The versions of chromium apt can install now, newest first as apt-cache lists them. */
const available = () =>
  (spawnSync('apt-cache', ['madison', 'chromium'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((line) => line.split('|')[1]?.trim())
    .filter(Boolean);

let versions = available();
if (!versions.includes(PIN) && !dryRun) {
  console.error("keel: updating apt's package lists to find chromium...");
  if (!aptGet(['update', '-qq'])) fail("apt-get update failed (its output is above); check access to Debian's mirror");
  versions = available();
}
let packages = [`chromium=${PIN}`, `chromium-common=${PIN}`, 'fonts-liberation'];
if (!versions.includes(PIN)) {
  if (versions.length === 0) {
    fail(
      'apt offers no chromium package (Ubuntu ships Chromium as a snap): install Chrome or Chromium and set CHROMIUM ' +
        'to its executable',
    );
  }
  console.error(
    `keel: chromium ${PIN} is no longer in the mirror (it offers ${versions.join(', ')}); installing the newest ` +
      'instead: move PIN in scripts/install-chromium.cjs to the version installed',
  );
  packages = ['chromium', 'chromium-common', 'fonts-liberation'];
}
const install = ['install', '-y', '-qq', '--no-install-recommends', ...packages];
if (dryRun) {
  console.log(`would run: ${[...sudo, 'apt-get', ...install].join(' ')}`);
  process.exit(0);
}
console.error(`keel: installing ${packages.join(' ')} (once)...`);
if (!aptGet(install))
  fail(`apt-get could not install ${packages.join(' ')} (its output is above); check access to Debian's mirror`);
if (!fs.existsSync(CHROMIUM)) fail(`apt-get installed ${packages[0]}, yet there is no ${CHROMIUM}`);
