// Schema v3: delete with undo. A deleted run is only hidden (deleted_at); it is purged, with its unshared blobs,
// a while later (see RunStore.purgeDeleted), so "undo" works across restarts.
export const up = `
ALTER TABLE runs ADD COLUMN deleted_at INTEGER;
CREATE INDEX runs_deleted ON runs (deleted_at) WHERE deleted_at IS NOT NULL;
`;
