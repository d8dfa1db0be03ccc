#!/usr/bin/env python3
# Vendored from shared/eval/score.py (the project's official scorer) so `make eval` and tests need no ../shared.
"""Score extracted figures against hand-made gold annotations.

Usage:
  score.py --gold GOLD.jsonl [--gold MORE.jsonl] --pred PRED.jsonl
  score.py --gold GOLD.jsonl --docs DIR -- COMMAND ...   (COMMAND gets the document paths appended
                                                           and must print one JSON figure per line)
Options: --min-precision P  --min-recall R  (exit 1 when below), --show (list every miss).

A predicted figure is a JSON object with at least: doc (path or file name), metric, value
(in the metric's base unit: yuan, count, or percent as 0-100), region_code (6-digit GB/T 2260,
"100000" for the whole country) and year (the year the figure's period ends in).

Matching, per document: a prediction is a true positive when metric, region_code and year equal a
gold figure's and the value is within 0.5 % (0.05 points for percentages). Each gold figure matches
once, so the same figure emitted twice counts once as right and once as wrong. Gold lines that carry
"ignore" mark readings that are ambiguous: a prediction with that metric and value is neither right
nor wrong. A gold line {"doc": ..., "metric": "none"} marks a document that states no core figure:
it is scored, and every prediction on it is wrong. Predictions of metrics outside the gold catalogue
are not scored.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

CORE = ["sampling_batches", "failed_batches", "pass_rate", "fail_rate", "complaints",
        "fines_confiscations", "cases", "new_enterprises", "new_market_entities", "losses_recovered"]


def close(a, b, metric):
    if metric in ("pass_rate", "fail_rate"):
        return abs(a - b) <= 0.05
    return abs(a - b) <= max(0.005 * abs(b), 0.5)


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def predictions(args):
    if args.pred:
        return load_jsonl(args.pred)
    docs = sorted({g["doc"] for g in args.gold_rows})
    paths = [os.path.join(args.docs, d) for d in docs]
    out = subprocess.run(args.command + paths, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"extraction command failed ({out.returncode}):\n{out.stderr[-2000:]}")
    rows = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
    return rows


def score(gold_rows, pred_rows, show=False):
    gold = collections.defaultdict(list)
    ignore = collections.defaultdict(list)
    empty = set()
    for g in gold_rows:
        if g.get("metric") == "none":  # a document that states no core figure: every prediction on it is wrong
            empty.add(g["doc"])
            continue
        (ignore if g.get("ignore") else gold)[g["doc"]].append(g)
    docs = set(gold) | set(ignore) | empty
    tp = collections.Counter(); fp = collections.Counter(); fn = collections.Counter()
    misattributed = 0
    misses = []
    for p in pred_rows:
        p["doc"] = os.path.basename(str(p.get("doc", "")))
    by_doc = collections.defaultdict(list)
    for p in pred_rows:
        if p["doc"] in docs and p.get("metric") in CORE:
            by_doc[p["doc"]].append(p)
    for doc in sorted(docs):
        open_gold = list(gold[doc])
        for p in by_doc[doc]:
            try:
                value = float(p["value"])
            except (KeyError, TypeError, ValueError):
                fp[p["metric"]] += 1
                misses.append(("wrong", doc, p))
                continue
            hit = next((g for g in open_gold if g["metric"] == p["metric"]
                        and str(g["region"]) == str(p.get("region_code"))
                        and int(g["year"]) == int(p.get("year") or 0)
                        and close(value, float(g["value"]), g["metric"])), None)
            if hit:
                open_gold.remove(hit)
                tp[p["metric"]] += 1
                continue
            if any(g["metric"] == p["metric"] and close(value, float(g["value"]), g["metric"])
                   for g in ignore[doc]):
                continue
            fp[p["metric"]] += 1
            if any(g["metric"] == p["metric"] and close(value, float(g["value"]), g["metric"])
                   for g in open_gold):
                misattributed += 1
            misses.append(("wrong", doc, p))
        for g in open_gold:
            fn[g["metric"]] += 1
            misses.append(("missed", doc, g))
    return tp, fp, fn, misattributed, misses


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", action="append", required=True)
    ap.add_argument("--pred")
    ap.add_argument("--docs")
    ap.add_argument("--min-precision", type=float, default=0.0)
    ap.add_argument("--min-recall", type=float, default=0.0)
    ap.add_argument("--show", action="store_true")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.pred and not (args.docs and args.command):
        ap.error("give --pred, or --docs and a command after --")
    args.gold_rows = [row for path in args.gold for row in load_jsonl(path)]
    tp, fp, fn, misattributed, misses = score(args.gold_rows, predictions(args), args.show)
    print(f"{'metric':22} {'tp':>5} {'fp':>5} {'fn':>5} {'precision':>9} {'recall':>7}")
    for m in CORE:
        if tp[m] or fp[m] or fn[m]:
            pr = tp[m] / (tp[m] + fp[m]) if tp[m] + fp[m] else 0.0
            rc = tp[m] / (tp[m] + fn[m]) if tp[m] + fn[m] else 0.0
            print(f"{m:22} {tp[m]:5} {fp[m]:5} {fn[m]:5} {pr:9.3f} {rc:7.3f}")
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = T / (T + F) if T + F else 0.0
    recall = T / (T + N) if T + N else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if args.show:
        for kind, doc, row in misses:
            keep = {k: row.get(k) for k in ("metric", "value", "region_code", "region", "year", "token", "quote")
                    if row.get(k) is not None}
            print(f"{kind:6} {doc} {json.dumps(keep, ensure_ascii=False)}")
    print(f"wrong region or year on a right value: {misattributed}")
    print(f"precision {precision:.3f} recall {recall:.3f} f1 {f1:.3f} (tp {T} fp {F} fn {N})")
    if precision < args.min_precision or recall < args.min_recall:
        sys.exit(1)


if __name__ == "__main__":
    main()
