import { frameOutside, inNodeModules } from '../call-site';

/** The observability constructs' own folder: frames in it are Keel's, not the caller's. */
const OWN_DIRECTORY = __dirname;

/**
 * Where a user's code called into the observability constructs, captured now and read only when needed: V8 formats
 * a stack when it is first read, so an alarm that is never reported costs no formatting.
 */
export class CallSite {
  private readonly trace: { stack?: string } = {};

  constructor() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    Error.captureStackTrace(this.trace, CallSite);
    Error.stackTraceLimit = limit;
  }

  /** `file:line` of the first frame outside the observability constructs, relative to the working directory. */
  public describe(): string {
    return callerIn(this.trace.stack ?? '');
  }
}

/**
 * `file:line` of the first frame of `stack` (as V8 formats it) in a file of the user's, relative to the working
 * directory: not in constructs/observability, not in node_modules, not in Node itself.
 */
export function callerIn(stack: string): string {
  const internal = (file: string) => file.startsWith(`${OWN_DIRECTORY}/`) || inNodeModules(file);
  return frameOutside(stack, internal) ?? 'an unknown place (no caller outside constructs/observability on the stack)';
}
