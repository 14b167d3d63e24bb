// Maps storage failures to errors the UI can explain. A full disk (SQLite's SQLITE_FULL, the OS's ENOSPC/EDQUOT,
// or EFBIG from a file-size limit) becomes 'disk_full'; the failed transaction was rolled back, so the log is intact.
import { StudioError } from '../api/contract';

const FULL_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'ENOSPC', 'EDQUOT', 'EFBIG']);

export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && FULL_CODES.has(code);
}

export function toLogError(e: unknown, doing: string): StudioError {
  if (e instanceof StudioError) return e;
  if (isDiskFull(e)) {
    return new StudioError(
      'disk_full',
      `The disk is full: could not ${doing} in the run log. Free some space and try again; finished runs are safe.`,
    );
  }
  return new StudioError('internal', `Run log: could not ${doing} (${e instanceof Error ? e.message : String(e)}).`);
}

/** Runs `fn`, rethrowing storage errors as StudioErrors that say what was being done. */
export function guard<T>(doing: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toLogError(e, doing);
  }
}
