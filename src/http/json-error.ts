/** A coded JSON error (CONTRACT.md: `{"error":{"code":"...","message":"..."}}`). */
export function jsonError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
