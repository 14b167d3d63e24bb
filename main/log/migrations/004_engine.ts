// Schema v4: which engine instance wrote a run (a token naming its lock file, see liveness.ts). A pid alone can
// be reused, by another process or after a reboot, and then a dead engine's runs would look alive forever.
export const up = `
ALTER TABLE runs ADD COLUMN engine TEXT;
`;
