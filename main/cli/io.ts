// Exit codes and output helpers every command shares, so scripts can trust them.
export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3 } as const;

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: CliIO = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};

export class UsageError extends Error {}
