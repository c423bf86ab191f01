/** A socket, TLS or file error in one short line for `last_error`: Node's message and its code. */
export function describeIoError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const code = (error as { code?: unknown }).code;
  const message = error.message.replace(/\s+/g, ' ').slice(0, 200);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
