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
# # 地区概况
#
# 一个地区历年的全部指标，每个数值均附来源文件与原文：先列全口径数值（全地区、不分项），再列分项/口径数值（如“食品类投诉举报”），后者不是地区总数。

# %%
from metrics import briefing, charts, params, query, summary

# %% tags=["parameters"]
db = None  # path of the DuckDB database; None: data/processed/regmetrics.duckdb
region = None  # region code or name, e.g. "四川" or "510000"; None: the region with most figures
years = None  # e.g. [2019, 2020] or "2018-2023"; None: every year

# %%
P = params.validate(globals(), "region_profile")
charts.setup()

# %%
names = query.metric_names(P.db)
region_name = params.region_name(P.region)
profile = query.region_profile(P.region, years=P.years, include_scoped=True, db=P.db)
headline = profile.filter(profile["headline"])
scoped = profile.filter(~profile["headline"])
briefing.show_heading(f"{region_name}市场监管指标概况", level=1)

# %% [markdown]
# ## 摘要

# %%
briefing.show_text(summary.profile_summary(profile, region_name, names))

# %% [markdown]
# ## 各项指标
#
# 每项指标一幅小图，各用其单位，只画全口径数值；空心点表示非全年数据。

# %%
no_chart = summary.profile_chart_note(region_name, profile, params.regions_with_headlines(P.db, like=P.region))
charts.profile_chart(headline, names, empty=no_chart).show()

# %% [markdown]
# ## 全口径数值
#
# 全地区、不分项的数值：每个指标每年一个（有多个时取期间最完整、发布最晚的一个）。

# %%
briefing.show_figures(headline, names, caption=f"{region_name}：全口径数值（{headline.height}个）",
                      empty=f"{region_name}没有全口径数值。")

# %% [markdown]
# ## 分项/口径数值
#
# 只涵盖某一分项或特定口径的数值（如“食品类投诉举报”）：不是地区总数，不宜与总数或其他地区的数值比较。

# %%
briefing.show_figures(scoped, names, caption=f"{region_name}：分项/口径数值（{scoped.height}个）",
                      columns=briefing.SCOPED_TABLE, empty=f"{region_name}没有分项/口径数值。")

# %% [markdown]
# ## 来源

# %%
briefing.show_sources(profile)
