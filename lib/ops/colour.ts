/** ANSI colours for a terminal: on only when the stream is a TTY and NO_COLOR is unset or empty (no-color.org). */
export function colourWanted(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '';
}

const CODES = { red: 31, green: 32, yellow: 33, bold: 1 } as const;

/** `text` in `colour` when `on`, as it is otherwise. */
export function paint(text: string, colour: keyof typeof CODES, on: boolean | undefined): string {
  return on ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}
