-- regmetrics macros and views, recreated at every publish (store.create_views).

-- What period a figure covers, in the words a Chinese reader expects: 全年, 1–8月, 上半年, 8月,
-- 一季度, 1–9月25日, 截至9月30日, 2019–2023年. The single source of period labels: views, the
-- query API and exports all read it from here.
CREATE OR REPLACE MACRO period_label(kind, ps, pe) AS CASE
    WHEN kind = 'year' THEN '全年'
    WHEN kind = 'ytd' AND pe IS NULL THEN '年初至今'
    WHEN kind = 'ytd' AND month(pe) = 6 AND day(pe) = 30 THEN '上半年'
    WHEN kind = 'ytd' AND pe = last_day(pe) AND month(pe) = 1 THEN '1月'
    WHEN kind = 'ytd' AND pe = last_day(pe) THEN '1–' || month(pe) || '月'
    WHEN kind = 'ytd' AND month(pe) = 1 THEN '1月1–' || day(pe) || '日'
    WHEN kind = 'ytd' THEN '1–' || month(pe) || '月' || day(pe) || '日'
    WHEN kind = 'quarter' AND coalesce(ps, pe) IS NOT NULL
        THEN ['一', '二', '三', '四'][quarter(coalesce(ps, pe))] || '季度'
    WHEN kind = 'month' AND coalesce(pe, ps) IS NOT NULL THEN month(coalesce(pe, ps)) || '月'
    WHEN kind = 'multi_year' AND ps IS NOT NULL AND pe IS NOT NULL
        THEN year(ps) || '–' || year(pe) || '年'
    WHEN kind = 'multi_year' THEN '多年'
    WHEN kind = 'point' AND pe IS NOT NULL THEN '截至' || month(pe) || '月' || day(pe) || '日'
    WHEN kind = 'point' THEN '时点'
    WHEN kind = 'quarter' THEN '季度'
    WHEN kind = 'month' THEN '月度'
    ELSE '期间不明'
END;

-- Which figure is the headline when several cover the same region, year and metric:
-- a full year, then a stock at a date, then year-to-date, quarter, month, unknown.
CREATE OR REPLACE MACRO period_rank(kind) AS CASE kind
    WHEN 'year' THEN 0 WHEN 'point' THEN 1 WHEN 'ytd' THEN 2 WHEN 'quarter' THEN 3 WHEN 'month' THEN 4
    ELSE 5 END;

-- Every figure with its document, canonical region name and period label.
CREATE OR REPLACE VIEW figures_all AS
SELECT
    f.region_code,
    coalesce(r.name, f.region_name) AS region_name,
    coalesce(r.level, f.region_level) AS region_level,
    f.year, f.metric, f.value, f.unit, f.period_kind,
    period_label(f.period_kind, f.period_start, f.period_end) AS period_label,
    f.approx, f.yoy_pct, f.subject, f.doc_id,
    d.title AS doc_title, d.path AS doc_path, d.published_on,
    f.quote, f.char_start, f.char_end, f.confidence,
    f.figure_key, f.doc, f.token, f.period_start, f.period_end,
    f.sentence_start, f.sentence_end, f.rule, f.corrected, d.publisher
FROM figures f
JOIN documents d ON d.id = f.doc_id
LEFT JOIN regions r ON r.code = f.region_code;

-- One headline figure per region, year and metric: whole-scope figures only (empty subject),
-- the widest period first (period_rank, then the latest period end), then the later publication.
CREATE OR REPLACE VIEW figures_best AS
SELECT * FROM figures_all
WHERE subject = '' AND region_code IS NOT NULL AND year IS NOT NULL AND period_kind <> 'multi_year'
QUALIFY row_number() OVER (
    PARTITION BY region_code, year, metric
    ORDER BY period_rank(period_kind), period_end DESC NULLS LAST, published_on DESC NULLS LAST,
             confidence DESC NULLS LAST, doc_id, char_start
) = 1;

-- The same region, year, metric, period and subject stated with different values by different
-- documents: every figure of such a group, with its quote, so a person can decide. Figures of an
-- unknown period are left out: two of them need not cover the same time.
CREATE OR REPLACE VIEW figure_conflicts AS
WITH grouped AS (
    SELECT *,
        count(DISTINCT value) OVER w AS n_values,
        count(DISTINCT doc_id) OVER w AS n_docs
    FROM figures_all
    WHERE region_code IS NOT NULL AND year IS NOT NULL AND value IS NOT NULL AND period_kind <> 'unknown'
    WINDOW w AS (PARTITION BY region_code, year, metric, period_kind, period_start, period_end, subject)
)
SELECT region_code, region_name, year, metric, period_kind, period_label, subject, value, unit, approx,
       n_values, doc_id, doc_title, doc_path, published_on, figure_key, quote, char_start, char_end
FROM grouped
WHERE n_values > 1 AND n_docs > 1
ORDER BY metric, region_code, year, period_kind, period_start, period_end, subject, value, doc_id;

-- figures_best materialised at every publish (store.refresh_headline) for fast compare().
CREATE TABLE IF NOT EXISTS headline AS SELECT * FROM figures_best LIMIT 0;

-- Figures per region, year, metric and period, materialised at every publish (store.refresh_headline).
CREATE TABLE IF NOT EXISTS coverage AS
SELECT region_code, region_name, region_level, year, metric, period_kind, period_label, count(*) AS n_figures
FROM figures_all GROUP BY ALL;
