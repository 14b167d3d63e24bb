// Flag values as commands read them: numbers and comma lists, with a UsageError naming the flag.
import { UsageError } from './io';

/** A number flag: undefined when absent; a UsageError naming the flag when it is not a finite number. */
export const num = (s: string | undefined, flag: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${s}"`);
  return n;
};

/** A comma-separated flag ("flip, crop") as its trimmed, non-empty items; [] when absent. */
export const list = (s: string | undefined): string[] =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
