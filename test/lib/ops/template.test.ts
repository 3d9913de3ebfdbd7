import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTemplate, replaceWords } from '../../../lib/ops/template';
import { tempDir } from '../../helpers/temp-dir';

test('replaces every word of the template, in paths and in text', () => {
  const root = tempDir('keel-template-');
  fs.mkdirSync(path.join(root, 'lib', 'hello-world'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib', 'hello-world', 'hello-world-stack.ts'), 'class HelloWorldStack {}\n');
  fs.writeFileSync(path.join(root, 'lib', 'hello-world', 'index.ts'), "export * from './hello-world-stack';\n");
  fs.writeFileSync(path.join(root, 'hello-world.md'), '# hello-world\n');
  const words = { 'hello-world': 'invoices', HelloWorld: 'Invoices' };
  expect(renderTemplate(root, ['lib/hello-world', 'hello-world.md'], words)).toEqual([
    { path: 'lib/invoices/index.ts', text: "export * from './invoices-stack';\n" },
    { path: 'lib/invoices/invoices-stack.ts', text: 'class InvoicesStack {}\n' },
    { path: 'invoices.md', text: '# invoices\n' },
  ]);
});

test('replaces the longest word first, and never a word inside a value it wrote', () => {
  const words = { commerce: 'payments', 'commerce-oncall@example.com': 'pay@example.com', payments: 'wrong' };
  expect(replaceWords('commerce on-call: commerce-oncall@example.com', words)).toBe(
    'payments on-call: pay@example.com',
  );
  expect(replaceWords('a.b (c) [d]', { 'a.b': 'x', '(c)': 'y', '[d]': 'z' })).toBe('x y z');
});

test('leaves text without the words as it is', () => {
  expect(replaceWords('nothing to replace', {})).toBe('nothing to replace');
  expect(replaceWords('nothing to replace', { 'hello-world': 'invoices' })).toBe('nothing to replace');
});
