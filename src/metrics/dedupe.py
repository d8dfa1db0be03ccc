"""One figure per repeated number: collapse restatements (title and body, rounded and exact)."""

from __future__ import annotations

from decimal import Decimal

from metrics.figures import Figure

_CLEARLY_BETTER = 0.1


def dedupe(figures: list[Figure], title: tuple[int, int] | None = None) -> list[Figure]:
    """One figure per (metric, value, region, year) and scope: a number repeated (the title and the
    body) is one figure, kept where it is best attributed (see _best; `title` is the span of the
    title repeated in the text); equal values of two named categories ("饮料1批次", "酒类1批次") are two."""
    groups: dict[tuple, list[list[Figure]]] = {}
    for f in figures:
        clusters = groups.setdefault((f.metric, f.value, f.region_code, f.year), [])
        for c in clusters:
            if any(not g.subject or not f.subject or g.subject in f.subject or f.subject in g.subject for g in c):
                c.append(f)
                break
        else:
            clusters.append([f])
    kept = {id(_best(c, title)) for cs in groups.values() for c in cs}
    out = [f for f in figures if id(f) in kept]
    exact: dict[tuple, list[Figure]] = {}
    for f in out:
        if not f.approx:
            exact.setdefault((f.metric, f.region_code, f.year), []).append(f)
    # a rounded restatement ("查处价格违法案件千余件" in a title over "1086件" in the body) is the same figure
    return [f for f in out if not f.approx or not any(
        (not g.subject or not f.subject or g.subject in f.subject or f.subject in g.subject)
        and _rounds_to(g.value, f.value, f.approx) for g in exact.get((f.metric, f.region_code, f.year), ()))]


def _best(cluster: list[Figure], title: tuple[int, int] | None) -> Figure:
    """The statement of a repeated figure to keep: one in the body rather than the title, there the
    first one (a later repeat is mostly commentary: "12批次不合格样品中饮料2批次…" then "…项目不合格
    12批次中有两批次…") unless a later one is clearly better attributed (more confident by more than
    _CLEARLY_BETTER)."""
    if len(cluster) == 1:
        return cluster[0]
    if title is not None:
        body = [g for g in cluster if not title[0] <= g.char_start < title[1]]
        cluster = body or cluster
    top = max(g.confidence for g in cluster)
    near = [g for g in cluster if g.confidence >= top - _CLEARLY_BETTER]
    return max(near, key=lambda g: (g.yoy_pct is not None, -g.char_start))


def _rounds_to(exact: Decimal, rounded: Decimal, approx: str) -> bool:
    """Whether an approximate figure (千余 / 近10万 / 不足1000) may be a rounding of an exact one."""
    if approx == "over":
        return rounded <= exact <= rounded * Decimal("1.5")
    if approx == "under":
        return rounded * Decimal("0.7") <= exact <= rounded
    return abs(exact - rounded) <= rounded * Decimal("0.1")
