#!/usr/bin/env node
// Installs the local AWS emulator (moto in server mode, from PyPI) into the project's own .venv, once.
// `npm test` runs this first (pretest), so a fresh clone needs nothing but Python 3 and the package registries.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const MOTO = 'moto[server]==5.2.5';
const root = path.join(__dirname, '..', '..');
const venv = path.join(root, '.venv');
const server = path.join(venv, 'bin', 'moto_server');
const marker = path.join(venv, '.keel-moto');

if (fs.existsSync(server) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === MOTO) process.exit(0);
const python = process.env.PYTHON ?? 'python3';
console.error(`keel: installing ${MOTO} into .venv for the emulator tests (once)...`);
execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', MOTO], {
  stdio: 'inherit',
});
fs.writeFileSync(marker, MOTO);
