import * as readline from 'node:readline/promises';
import { runCli } from '../lib/ops/cli';

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
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
