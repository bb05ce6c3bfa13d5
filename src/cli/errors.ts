// CLI errors: a UsageError (bad command line: exit 2) versus every other failure (exit 1).

/** A mistake in the command line itself: unknown command or flag, missing value, wrong type. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The one-line message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
