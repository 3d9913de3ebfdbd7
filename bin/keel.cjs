#!/usr/bin/env node
// `keel` as an installed bin: runs the TypeScript entry through tsx, like cdk.json's app.
require('tsx/cjs');
require('./keel.ts');
