// Stamped into provenance (PNG chunks, run log). Kept in step with package.json by tests/unit/version.test.ts.
export const APP_VERSION = '0.1.0';
