-- infokoll store, schema version 1.
-- Times are Unix milliseconds (INTEGER, UTC); booleans are 0/1;
-- *_json columns hold JSON text.

-- One audit run (one `infokoll audit` invocation plus its resumes).
CREATE TABLE runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    year             INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    params_json      TEXT    NOT NULL DEFAULT '{}',
    infokoll_version TEXT    NOT NULL
);

-- The municipalities of a run and how far each has come.
CREATE TABLE municipalities (
    run_id        INTEGER NOT NULL REFERENCES runs(id),
    code          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    county        TEXT    NOT NULL,
    homepage      TEXT    NOT NULL,
    population    INTEGER,
    status        TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'in_progress', 'done')),
    site_status   TEXT,
    site_reason   TEXT,
    pages_fetched INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    PRIMARY KEY (run_id, code)
);

-- Every fetch of a municipality's crawl, in crawl order (seq).
CREATE TABLE fetches (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL,
    code           TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    url            TEXT    NOT NULL,
    final_url      TEXT    NOT NULL,
    redirects_json TEXT    NOT NULL DEFAULT '[]',
    depth          INTEGER NOT NULL,
    off_site       INTEGER NOT NULL DEFAULT 0,
    status         INTEGER,
    outcome_kind   TEXT    NOT NULL,
    outcome_text   TEXT,
    content_type   TEXT,
    content_hash   TEXT,
    body_length    INTEGER,
    truncated      INTEGER NOT NULL DEFAULT 0,
    etag           TEXT,
    last_modified  TEXT,
    fetched_at     INTEGER NOT NULL,
    warc_file      TEXT,
    warc_offset    INTEGER,
    warc_length    INTEGER,
    UNIQUE (run_id, code, url),
    FOREIGN KEY (run_id, code) REFERENCES municipalities(run_id, code)
);
CREATE INDEX fetches_by_seq ON fetches(run_id, code, seq);
CREATE INDEX fetches_by_url ON fetches(url);

-- One verdict per checklist item and municipality.
CREATE TABLE verdicts (
    run_id     INTEGER NOT NULL,
    code       TEXT    NOT NULL,
    item       TEXT    NOT NULL,
    found      INTEGER NOT NULL,
    confidence REAL    NOT NULL,
    flagged    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, code, item),
    FOREIGN KEY (run_id, code) REFERENCES municipalities(run_id, code)
);

-- The evidence behind a verdict, best first (rank 0, 1, ...).
CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL,
    code            TEXT    NOT NULL,
    item            TEXT    NOT NULL,
    rank            INTEGER NOT NULL,
    url             TEXT    NOT NULL,
    snippet         TEXT    NOT NULL,
    highlights_json TEXT    NOT NULL DEFAULT '[]',
    signal          TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    weight          REAL    NOT NULL,
    context         TEXT    NOT NULL DEFAULT '',
    target          TEXT,
    depth           INTEGER NOT NULL,
    off_site        INTEGER NOT NULL DEFAULT 0,
    warc_file       TEXT,
    warc_offset     INTEGER,
    warc_length     INTEGER,
    UNIQUE (run_id, code, item, rank),
    FOREIGN KEY (run_id, code, item) REFERENCES verdicts(run_id, code, item)
        ON DELETE CASCADE
);

-- The reviewers' log (issue 6): append-only, enforced by triggers.
CREATE TABLE decisions (
    id                 INTEGER PRIMARY KEY,
    run_id             INTEGER NOT NULL,
    code               TEXT    NOT NULL,
    item               TEXT    NOT NULL,
    reviewer           TEXT    NOT NULL,
    decided_at         INTEGER NOT NULL,
    decision           TEXT    NOT NULL
                       CHECK (decision IN ('confirm', 'reject', 'present')),
    url                TEXT,
    comment            TEXT,
    machine_found      INTEGER,
    machine_confidence REAL,
    FOREIGN KEY (run_id, code) REFERENCES municipalities(run_id, code)
);
CREATE INDEX decisions_by_item ON decisions(run_id, code, item);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only');
END;

CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only');
END;
