// Preloaded with `node --require` by tests that check what a command loads: at exit, writes the file of every
// CommonJS module the process loaded (TypeScript through tsx included), one a line, to $KEEL_LOADED_MODULES.
const fs = require('node:fs');

process.on('exit', () => {
  fs.writeFileSync(process.env.KEEL_LOADED_MODULES, `${Object.keys(require.cache).join('\n')}\n`);
});
