/**
 * A problem with what the user asked for (a flag, a file, a name): the CLI
 * prints its message on one line and exits with code 2; nothing was changed.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
