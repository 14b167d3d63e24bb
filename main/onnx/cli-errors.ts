// Exit codes for the gradient CLI commands, matching the dispatcher in main/cli/main.ts.
import { StudioError } from '../api/contract.js';
import { EXIT, UsageError, type CliIO } from '../cli/io.js';

export function reportError(command: string, e: unknown, io: CliIO): number {
  if (e instanceof UsageError || (e as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    io.err(`vision-studio ${command}: ${(e as Error).message}`);
    return EXIT.usage;
  }
  if (e instanceof StudioError) {
    io.err(`vision-studio ${command}: ${e.message}`);
    return EXIT.failure;
  }
  io.err(`vision-studio ${command}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.failure;
}
