#!/usr/bin/env python3
"""Field accuracy beyond score.py: for every predicted figure that matches a gold figure (same doc,
metric, region, year, value), how often approx, yoy, period kind and subject-emptiness agree.

score.py judges whether a figure was found; the comparison views also need the period kind (a half year
must not be ranked against a full year) and an empty subject exactly for headline totals.

Usage: field_accuracy.py --gold G.jsonl [--gold ...] --pred PRED.jsonl [--show]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score import close, load_jsonl  # noqa: E402


def _yoy_equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 0.05  # type: ignore[arg-type]


CHECKS = {
    "approx": lambda g, p: (g.get("approx") or "") == (p.get("approx") or ""),
    "yoy": lambda g, p: _yoy_equal(g.get("yoy"), p.get("yoy_pct")),
    "period": lambda g, p: g.get("period") == p.get("period_kind"),
    "headline (subject empty or not)": lambda g, p: (g.get("subject") or "") == ""
    if (p.get("subject") or "") == "" else (g.get("subject") or "") != "",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", action="append", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--show", action="store_true", help="list every disagreement")
    args = ap.parse_args()
    gold = [g for path in args.gold for g in load_jsonl(path) if not g.get("ignore")]
    by_doc = collections.defaultdict(list)
    for g in gold:
        by_doc[g["doc"]].append(g)
    agree = collections.Counter()
    matched = 0
    wrong: list[str] = []
    for p in load_jsonl(args.pred):
        doc = os.path.basename(str(p.get("doc", "")))
        hit = next((g for g in by_doc.get(doc, []) if g["metric"] == p.get("metric")
                    and str(g["region"]) == str(p.get("region_code")) and int(g["year"]) == int(p.get("year") or 0)
                    and close(float(p["value"]), float(g["value"]), g["metric"])), None)
        if not hit:
            continue
        by_doc[doc].remove(hit)
        matched += 1
        for name, check in CHECKS.items():
            if check(hit, p):
                agree[name] += 1
            else:
                wrong.append(f"{name:32} {doc} {hit['metric']} {hit['token']}: gold "
                             f"{ {k: hit.get(k) for k in ('approx', 'yoy', 'period', 'subject')} } predicted "
                             f"{ {k: p.get(k) for k in ('approx', 'yoy_pct', 'period_kind', 'subject')} }")
    print(f"field accuracy on {matched} matched figures")
    for name in CHECKS:
        print(f"  {name:32} {agree[name]:4}/{matched}  {agree[name] / matched if matched else 0:.3f}")
    if args.show:
        print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
