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

# %% [markdown] tags=["remove_cell"]
# # 各地指标比较
#
# 同一指标在各地之间的比较：某一年的排名、历年变化、每个数值及其来源文件和原文，以及根据数据生成的摘要。
# 参数留空（None）时由数据决定：选覆盖地区最多的指标和年份。运行 `make lab` 打开，或 `regmetrics report province_comparison -p metric … -p year …` 生成简报。

# %%
from metrics import briefing, charts, params, query, summary

# %% tags=["parameters"]
db = None  # path of the DuckDB database; None: data/processed/regmetrics.duckdb
metric = None  # metric id, e.g. "fines_confiscations"; None: the metric covering most regions in one year
year = None  # year to rank, e.g. 2020; None: the year with most regions for the metric
years = None  # years for the line chart, e.g. [2019, 2020] or "2018-2023"; None: every year
regions = None  # region codes or names, e.g. ["四川", "440000"]; None: every region at `level`
level = "province"  # province, prefecture, county or country (when regions is None)

# %%
P = params.validate(globals(), "province_comparison")
charts.setup()

# %%
names = query.metric_names(P.db)
metric_name = names.get(P.metric, P.metric)
ranked = query.compare(P.metric, years=P.year, regions=P.regions, level=P.level, db=P.db)
history = query.compare(P.metric, years=P.years, regions=P.regions, level=P.level, db=P.db)
documents = query.documents(db=P.db)
briefing.show_heading(f"{P.year}年各地{metric_name}比较", level=1)
briefing.show_lead(summary.headline_sentence(ranked, metric_name, P.year, P.level))

# %% [markdown]
# ## 摘要

# %%
briefing.show_text(summary.reporting_sentence(ranked, documents, metric_name, P.year, P.level, P.regions))
briefing.show_text(summary.comparison_summary(ranked, metric_name, P.year, P.level))

# %% [markdown]
# ## 排名
#
# 条形按数值从大到小排列，数值以万、亿为单位；斜线条纹表示非全年数据（年内累计、单月等），不宜与全年数据直接比较。鼠标悬停可查看来源；表中点“原文”可展开来源句子、文件和字符位置。

# %%
charts.ranking_bar(ranked, metric_name, P.year,
                   empty=f"{P.year}年所选地区没有{metric_name}的全口径数值：请换一个年份（year）或地区（regions、level）。").show()
briefing.show_ranking(ranked, P.year, caption=f"{P.year}年{metric_name}排名（{ranked.height}个地区）",
                      empty=f"{P.year}年所选地区没有{metric_name}的全口径数值。")

# %% [markdown]
# ## 历年变化
#
# 空心点表示非全年数据。鼠标悬停可查看来源；单击图例中的地区可隐藏它，双击则只显示它。

# %%
charts.trend_lines(history, metric_name,
                   empty=f"所选地区和年份没有{metric_name}的全口径数值：请放宽年份（years）或地区（regions、level）。").show()

# %% [markdown]
# ## 数据表
#
# 图表中的全部数值：期间、是否为约数（约 / 逾 / 不足）、文件所述同比变化，以及出自的原文句子。

# %%
briefing.show_figures(history, names, caption=f"{metric_name}：全部年份")

# %% [markdown]
# ## 来源

# %%
briefing.show_sources(history)
