import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file to write: its path from the repository root and its text. */
export interface TemplateFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Renders template files: every file under each of `paths` (a file or a folder, relative to `root`), with each key
 * of `vars` replaced by its value, in the file's path and in its text. Returns them in the order of `paths`, a
 * folder's files sorted by their new path.
 */
export function renderTemplate(
  root: string,
  paths: readonly string[],
  vars: Readonly<Record<string, string>>,
): TemplateFile[] {
  return paths.flatMap((entry) =>
    filesUnder(root, entry)
      .map((file) => ({
        path: replaceWords(file, vars),
        text: replaceWords(fs.readFileSync(path.join(root, file), 'utf8'), vars),
      }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  );
}

/**
 * `text` with each key of `vars` replaced by its value. All keys are replaced in one pass, longest first, so a key
 * inside a longer one, or inside a value already written, is left alone.
 */
export function replaceWords(text: string, vars: Readonly<Record<string, string>>): string {
  const keys = Object.keys(vars).sort((a, b) => b.length - a.length);
  if (keys.length === 0) return text;
  const pattern = new RegExp(keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (key) => vars[key]);
}

function filesUnder(root: string, entry: string): string[] {
  const full = path.join(root, entry);
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile())
    .map((file) => path.relative(root, path.join(file.parentPath, file.name)));
}
