import * as path from 'node:path';

/**
 * `file:line` of a caller, read from a stack as V8 formats it: the first frame whose file is absolute and not
 * `internal` (then `skip` frames further up), relative to the working directory with `/` separators; undefined when
 * the stack holds no such frame. Stack traces name `.ts` lines because bin/typescript-hook.cjs and jest both apply
 * source maps. Used where Keel names the line of a user's call in an error: an acknowledgment, an alarm's slug.
 */
export function frameOutside(stack: string, internal: (file: string) => boolean, skip = 0): string | undefined {
  let above = skip;
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?\s*$/.exec(line.trim());
    const file = match?.[1].replace(/^file:\/\//, '');
    if (!match || !file || !path.isAbsolute(file) || internal(file)) continue;
    if (above-- > 0) continue;
    return `${path.relative(process.cwd(), file).split(path.sep).join('/') || file}:${match[2]}`;
  }
  return undefined;
}

/** Whether a frame's file is a dependency's, not the repository's. */
export const inNodeModules = (file: string): boolean => /[\\/]node_modules[\\/]/.test(file);
