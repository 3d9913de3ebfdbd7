import * as readline from 'node:readline/promises';
import { runCli } from '../lib/ops/cli';
import { colourWanted } from '../lib/ops/colour';

// The AWS SDK warns on Node < 22 in 8 lines before the first AWS call's output, so no error would be one line.
// keel turns that warning off and says it in one line instead, in `keel --version` (lib/ops/cli.ts, versionLines).
// Set the variable to false to see the SDK's own warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  // Colour only when both streams are a terminal and NO_COLOR is unset: piped or logged output stays plain.
  colour: colourWanted(process.stdout) && colourWanted(process.stderr),
  // Only a person at a terminal can confirm; otherwise commands that ask need --yes.
  ...(process.stdin.isTTY
    ? {
        confirm: async (question: string) => {
          const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
          const answer = await prompt.question(question);
          prompt.close();
          return /^y(es)?$/i.test(answer.trim());
        },
      }
    : {}),
}).then((code) => {
  process.exitCode = code;
});
