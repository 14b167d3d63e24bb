// Schema v2: full-text search over each run's label, notes and tags (FTS5, one row per run, rowid = runs.seq).
// Kept in step by triggers, so no writer can forget it; filled from existing rows for databases made by v1.
export const up = `
CREATE VIRTUAL TABLE runs_fts USING fts5 (label, notes, tags, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER runs_fts_insert AFTER INSERT ON runs BEGIN
  INSERT INTO runs_fts (rowid, label, notes, tags) VALUES (new.seq, new.label, '', '');
END;
CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN
  DELETE FROM runs_fts WHERE rowid = old.seq;
END;
CREATE TRIGGER notes_fts_set AFTER INSERT ON notes BEGIN
  UPDATE runs_fts SET notes = new.text WHERE rowid = new.run;
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE ON notes BEGIN
  UPDATE runs_fts SET notes = new.text WHERE rowid = new.run;
END;
CREATE TRIGGER notes_fts_clear AFTER DELETE ON notes BEGIN
  UPDATE runs_fts SET notes = '' WHERE rowid = old.run;
END;
CREATE TRIGGER tags_fts_add AFTER INSERT ON tags BEGIN
  UPDATE runs_fts SET tags = (SELECT group_concat(tag, ' ') FROM tags WHERE run = new.run) WHERE rowid = new.run;
END;
CREATE TRIGGER tags_fts_remove AFTER DELETE ON tags BEGIN
  UPDATE runs_fts SET tags = coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE run = old.run), '') WHERE rowid = old.run;
END;

INSERT INTO runs_fts (rowid, label, notes, tags)
  SELECT r.seq, r.label, coalesce(n.text, ''), coalesce((SELECT group_concat(tag, ' ') FROM tags t WHERE t.run = r.seq), '')
  FROM runs r LEFT JOIN notes n ON n.run = r.seq;
`;
