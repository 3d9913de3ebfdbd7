#!/usr/bin/env node
// Installs the project's Python tools from PyPI into its own .venv, pinned, once:
//   moto      the local AWS emulator of the emulator tests, `npm run rehearse` and `npm run bench:status`
//   cfn-lint  the CloudFormation linter `keel validate` runs over every synthesized template
// Usage: node scripts/install-python-tools.cjs [tool ...]   (no tool: all of them; `npm run setup` does this)
// `npm test` runs it first (pretest), so a fresh clone needs nothing but Python 3 and the package registries.
// Each tool's marker file in .venv records the pin installed, so a second run is instant and a changed pin
// reinstalls. PYTHON names another interpreter than python3.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Each tool: its pinned requirement and the executable it puts into .venv/bin. */
const TOOLS = {
  moto: { requirement: 'moto[server]==5.2.5', executable: 'moto_server' },
  'cfn-lint': { requirement: 'cfn-lint==1.58.0', executable: 'cfn-lint' },
};

const root = path.join(__dirname, '..');
const venv = path.join(root, '.venv');
const python = process.env.PYTHON ?? 'python3';
const HOW_TO_INSTALL_PYTHON =
  'install Python 3 with venv (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python), ' +
  'or set PYTHON to a Python 3 interpreter';

/** Stops with one line on standard error: what failed and how to fix it, never a stack trace. */
function fail(message) {
  console.error(`keel: ${message}`);
  process.exit(1);
}

const marker = (tool) => path.join(venv, `.keel-${tool}`);
const installed = (tool) =>
  fs.existsSync(path.join(venv, 'bin', TOOLS[tool].executable)) &&
  fs.existsSync(marker(tool)) &&
  fs.readFileSync(marker(tool), 'utf8') === TOOLS[tool].requirement;

const requested = process.argv.slice(2);
for (const tool of requested) {
  if (!Object.hasOwn(TOOLS, tool))
    fail(`unknown tool ${JSON.stringify(tool)}: choose from ${Object.keys(TOOLS).join(', ')}`);
}
const tools = requested.length > 0 ? requested : Object.keys(TOOLS);
if (tools.every(installed)) process.exit(0);

const version = spawnSync(python, ['--version'], { encoding: 'utf8' });
const said = `${version.stdout ?? ''}${version.stderr ?? ''}`.trim().split('\n')[0];
if (version.error || version.status !== 0 || !/^Python 3\./.test(said)) {
  const found = version.error ? 'was not found' : `is ${JSON.stringify(said || 'not Python 3')}`;
  fail(
    `Python 3 is needed to install ${tools.join(' and ')} into .venv, and ${python} ${found}: ${HOW_TO_INSTALL_PYTHON}`,
  );
}

// Tools installed before are installed again with their pins, so one pip run resolves every tool's dependencies
// together and cannot move another tool off its pin.
const installing = Object.keys(TOOLS).filter((tool) => tools.includes(tool) || fs.existsSync(marker(tool)));
const requirements = installing.map((tool) => TOOLS[tool].requirement);
console.error(`keel: installing ${requirements.join(', ')} into .venv (once)...`);
const pip = path.join(venv, 'bin', 'pip');
if (!fs.existsSync(pip)) {
  const created = spawnSync(python, ['-m', 'venv', venv], { encoding: 'utf8' });
  if (created.status !== 0 || !fs.existsSync(pip)) {
    const why = `${created.stderr ?? ''}`.trim().split('\n').pop();
    fail(`${python} -m venv .venv failed${why ? ` (${why})` : ''}: ${HOW_TO_INSTALL_PYTHON}`);
  }
}
try {
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check', ...requirements], { stdio: 'inherit' });
} catch {
  fail(`pip could not install ${requirements.join(', ')} into .venv (its output is above); check access to PyPI`);
}
for (const tool of installing) fs.writeFileSync(marker(tool), TOOLS[tool].requirement);
