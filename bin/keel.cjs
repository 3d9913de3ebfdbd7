#!/usr/bin/env node
// `keel` as an installed bin: runs the TypeScript entry through bin/typescript-hook.cjs, like cdk.json's app. Each
// file is compiled once and kept as JavaScript in the hook's cache, so a warm start loads no compiler at all.
require('./typescript-hook.cjs');
require('./keel.ts');
