// vision-studio playground: an optimiser's path on a 2-D test surface (SCAFFOLD: built under #11).
import { EXIT, stdio, type CliIO } from '../io.js';

export const playgroundHelp = `Usage: vision-studio playground --surface S --optimizer O --start X,Y --steps N [--json]`;

export async function playgroundCommand(_argv: string[], io: CliIO = stdio): Promise<number> {
  io.err('vision-studio playground: not built yet');
  return EXIT.failure;
}
