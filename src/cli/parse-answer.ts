/** An answer given on the command line or at the terminal: JSON, or the text itself (`Rome`). */
export function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the answer is the text as typed.
    return text;
  }
}
