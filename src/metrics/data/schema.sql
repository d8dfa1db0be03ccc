-- regmetrics store, schema version 1 (store.SCHEMA_VERSION): tables written by `regmetrics ingest`.
-- Views and macros live in views.sql and are recreated at every publish.

-- Key/value facts about the database: schema_version, extractor_version, corrections_sha256.
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- One row per ingested file. id is the sha256 of the file's bytes; path is unique too
-- (project-relative when under the checkout). text is the extracted text that figure offsets index.
CREATE TABLE IF NOT EXISTS documents (
    id                VARCHAR PRIMARY KEY,
    path              VARCHAR NOT NULL UNIQUE,
    name              VARCHAR NOT NULL,
    title             VARCHAR,
    publisher         VARCHAR,
    region_code       VARCHAR,
    published_on      DATE,
    date_source       VARCHAR,
    genre             VARCHAR,
    format            VARCHAR,
    encoding          VARCHAR,
    n_chars           INTEGER,
    n_figures         INTEGER,
    ingested_at       TIMESTAMP,
    extractor_version VARCHAR,
    text              VARCHAR
);

-- Figures exactly as the extractor stated them (figures.RECORD_FIELDS plus doc_id and figure_key).
-- `figures` is rebuilt from this table with data/corrections.csv applied at every publish.
CREATE TABLE IF NOT EXISTS figures_raw (
    doc_id         VARCHAR NOT NULL,
    figure_key     VARCHAR NOT NULL,
    doc            VARCHAR,
    metric         VARCHAR NOT NULL,
    value          DECIMAL(38, 6),
    unit           VARCHAR,
    approx         VARCHAR NOT NULL DEFAULT '',
    region_code    VARCHAR,
    region_name    VARCHAR,
    region_level   VARCHAR,
    year           INTEGER,
    period_kind    VARCHAR NOT NULL DEFAULT 'unknown',
    period_start   DATE,
    period_end     DATE,
    yoy_pct        DECIMAL(38, 6),
    subject        VARCHAR NOT NULL DEFAULT '',
    token          VARCHAR,
    quote          VARCHAR,
    char_start     INTEGER,
    char_end       INTEGER,
    sentence_start INTEGER,
    sentence_end   INTEGER,
    rule           VARCHAR,
    confidence     DOUBLE,
    PRIMARY KEY (doc_id, figure_key)
);

-- figures_raw with data/corrections.csv applied (store.rebuild_figures, corrections.apply), sorted by
-- metric, year and region; `corrected` lists the fields a person changed.
CREATE TABLE IF NOT EXISTS figures AS SELECT *, '' AS corrected FROM figures_raw LIMIT 0;

-- Files given to an ingest but not extracted because they were over the per-document budget
-- (`regmetrics ingest --max-seconds/--max-mb`): named with the reason, kept until the file extracts
-- (a larger budget, a changed file) or is pruned. metrics.query.coverage() lists them.
CREATE TABLE IF NOT EXISTS unextracted (
    path              VARCHAR PRIMARY KEY,
    id                VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    reason            VARCHAR NOT NULL,
    n_bytes           BIGINT,
    max_seconds       DOUBLE,
    max_mb            DOUBLE,
    extractor_version VARCHAR,
    ingested_at       TIMESTAMP
);

-- GB/T 2260 regions known to metrics.regions, with the dates a code was valid.
CREATE TABLE IF NOT EXISTS regions (
    code       VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    level      VARCHAR,
    parent     VARCHAR,
    valid_from DATE,
    valid_to   DATE
);

-- The metric catalogue (src/metrics/data/metrics.yaml) as of the last ingest.
CREATE TABLE IF NOT EXISTS metrics (
    id         VARCHAR PRIMARY KEY,
    name       VARCHAR,
    names      VARCHAR[],
    unit       VARCHAR,
    kind       VARCHAR,
    definition VARCHAR
);
