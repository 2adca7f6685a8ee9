-- infokoll store, schema version 2 (issue 15).
-- An undo is a new row in the append-only log: `undoes` names the row it
-- withdraws (its `decision` repeats that row's decision). Rows that are
-- undone, and the undo rows themselves, no longer count.
ALTER TABLE decisions ADD COLUMN undoes INTEGER REFERENCES decisions(id);
