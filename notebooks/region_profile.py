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
# 一个地区历年的全部指标，每个数值均附来源文件与原文。

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
names = summary.metric_names(P.db)
profile = query.region_profile(P.region, years=P.years, db=P.db)
region_name = profile["region_name"][0] if profile.height else P.region
briefing.show_heading(f"{region_name}市场监管指标概况", level=1)

# %% [markdown]
# ## 摘要

# %%
briefing.show_text(summary.profile_summary(profile, region_name, names))

# %% [markdown]
# ## 各项指标
#
# 每项指标一幅小图，各用其单位；空心点表示非全年数据。

# %%
charts.profile_chart(profile, names).show()

# %% [markdown]
# ## 数据表

# %%
briefing.show_figures(profile, names, caption=f"{region_name}：全部指标")

# %% [markdown]
# ## 来源

# %%
briefing.show_sources(profile)
