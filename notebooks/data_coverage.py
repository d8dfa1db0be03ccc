# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: regmetrics (Python 3.11)
#     language: python
#     name: regmetrics
# ---

# %% [markdown]
# # 数据覆盖与待核对数值
#
# 各地区各年份有哪些数据、属于何种口径（全年 / 年内累计 / 单月）；不同文件说法矛盾的数值；抽取时把握不大、需人工核对的数值。

# %%
from metrics import briefing, charts, params, query, summary

# %% tags=["parameters"]
db = None  # path of the DuckDB database; None: data/processed/regmetrics.duckdb
metrics = None  # metric ids, e.g. ["complaints", "fines_confiscations"]; None: every metric
years = None  # e.g. [2019, 2020] or "2018-2023"; None: every year

# %%
P = params.validate(globals(), "data_coverage")
charts.setup()

# %%
names = query.metric_names(P.db)
cells = query.coverage(P.metrics, years=P.years, db=P.db)
briefing.show_heading("数据覆盖", level=1)
briefing.show_text(summary.coverage_summary(cells))

# %% [markdown]
# ## 地区 × 年份
#
# 每格显示该地区该年份数据所覆盖的最宽期间；鼠标悬停可查看具体指标及其期间。地区超过40个时，地市和区县并入所属省份显示。

# %%
known_years = query.known_years(db=P.db)
charts.coverage_heatmap(cells, "各地区各年份的数据口径",
                        empty=f"所选指标和年份没有可归到地区和年份的数值：数据库中有数值的年份为{known_years[0]}–{known_years[-1]}年，"
                              "请放宽指标（metrics）或年份（years）。" if known_years else "数据库中没有数值：请先运行 make ingest。",
                        metric_names=names).show()

# %% [markdown]
# ## 互相矛盾的数值
#
# 同一地区、年份、指标、期间和范围，不同文件给出了不同的数值。

# %%
disputed = query.conflicts(db=P.db)
disputed = disputed.filter(disputed["metric"].is_in(P.metrics)) if P.metrics else disputed
disputed = disputed.filter(disputed["year"].is_in(P.years)) if P.years else disputed
briefing.show_figures(disputed, names, caption=f"矛盾数值（{disputed.height}条）")

# %% [markdown]
# ## 待核对的低置信度数值

# %%
unsure = query.low_confidence(db=P.db)
unsure = unsure.filter(unsure["metric"].is_in(P.metrics)) if P.metrics else unsure
unsure = unsure.filter(unsure["year"].is_in(P.years)) if P.years else unsure
briefing.show_figures(unsure, names, caption=f"低置信度数值（{unsure.height}条）",
                      columns=briefing.FIGURE_TABLE + (("confidence", "置信度"), ("rule", "规则")))
