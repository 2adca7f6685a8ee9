-- infokoll store, schema version 2 (issue 15): undo rows and earlier attempts.
-- An undo is a new row in the append-only log: `undoes` names the row it
-- withdraws (its `decision` repeats that row's decision). Rows that are
-- undone, and the undo rows themselves, no longer count.
ALTER TABLE decisions ADD COLUMN undoes INTEGER REFERENCES decisions(id);

-- A retried municipality's earlier attempt (`audit --resume DIR
-- --retry-failed`): its outcome, and its fetches moved out of `fetches`
-- (same columns) so the new attempt starts from the network.
CREATE TABLE attempts (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL,
    code          TEXT    NOT NULL,
    site_status   TEXT,
    site_reason   TEXT,
    pages_fetched INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    retried_at    INTEGER NOT NULL,
    FOREIGN KEY (run_id, code) REFERENCES municipalities(run_id, code)
);

CREATE TABLE attempt_fetches (
    attempt_id     INTEGER NOT NULL REFERENCES attempts(id),
    run_id         INTEGER NOT NULL,
    code           TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    url            TEXT    NOT NULL,
    final_url      TEXT    NOT NULL,
    redirects_json TEXT    NOT NULL,
    depth          INTEGER NOT NULL,
    off_site       INTEGER NOT NULL,
    status         INTEGER,
    outcome_kind   TEXT    NOT NULL,
    outcome_text   TEXT,
    content_type   TEXT,
    content_hash   TEXT,
    body_length    INTEGER,
    truncated      INTEGER NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    fetched_at     INTEGER NOT NULL,
    warc_file      TEXT,
    warc_offset    INTEGER,
    warc_length    INTEGER
);
