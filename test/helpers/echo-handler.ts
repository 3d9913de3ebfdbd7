/** A handler for construct tests: answers with the request it got. */
export async function handler(event: unknown): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: JSON.stringify(event) };
}
