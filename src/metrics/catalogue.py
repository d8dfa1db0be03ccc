"""The metric catalogue (data/metrics.yaml) loaded into strict pydantic models, with its regexes compiled."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

CATALOGUE_PATH = Path(__file__).with_name("data") / "metrics.yaml"

CORE_METRICS = ("sampling_batches", "failed_batches", "pass_rate", "fail_rate", "complaints",
                "fines_confiscations", "cases", "new_enterprises", "new_market_entities", "losses_recovered")
FAMILIES = ("batch", "count", "money", "entity", "percent", "points")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regexes(v: list[str]) -> list[str]:
    for p in v:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"bad regex {p!r}: {exc}") from exc
    return v


class AfterRule(_Strict):
    """A regex anchored just after the number that re-routes the figure (to a metric id) or drops it."""

    pattern: str
    to: str | None

    _v = field_validator("pattern")(lambda cls, v: _check_regexes([v])[0])


class Breakdown(_Strict):
    """Triggers that count only right after a figure of metric `of` in the same sentence."""

    of: str
    triggers: list[str]

    _v = field_validator("triggers")(lambda cls, v: _check_regexes(v))


class Fallback(_Strict):
    """When a number with no trigger in its clause defaults to this metric (see metrics.yaml)."""

    words: list[str]
    mode: Literal["any", "all"]


class Expected(_Strict):
    """One expected figure of a catalogue example; keys left out are not checked."""

    metric: str | None = None
    value: float
    approx: Literal["", "over", "about", "under"] | None = None
    yoy: float | None = None
    subject: str | None = None


class Example(_Strict):
    """A real sentence and every figure it must yield (none when expect is empty)."""

    text: str
    expect: list[Expected]


class Metric(_Strict):
    """One metric: names, base unit, the unit families it accepts, its trigger and exclusion regexes."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: Literal["flow", "stock", "rate"]
    definition: str
    families: list[Literal["batch", "count", "money", "entity", "percent", "points"]]
    triggers: list[str]
    exclusions: list[str] = Field(default_factory=list)
    after: list[AfterRule] = Field(default_factory=list)
    fallback: Fallback | None = None
    exact_only: bool = False
    counters: list[str] = Field(default_factory=list)
    context: str | None = None
    breakdown: Breakdown | None = None
    keep_trigger_in_subject: bool = False
    subject_rewrite: dict[str, str] = Field(default_factory=dict)
    subject_fallback: str | None = None
    inherits_scope_from: list[str] = Field(default_factory=list)
    emit: bool = True
    examples: list[Example] = Field(default_factory=list)

    _v = field_validator("triggers", "exclusions")(lambda cls, v: _check_regexes(v))


class Blockers(_Strict):
    """Catalogue-wide vetoes: change/share/rate words, target cues, plan headings."""

    between: list[str]
    after_number: list[str]
    target: list[str]
    plan_heading: list[str]
    classifier_counters: list[str] = Field(default_factory=list)
    after_classifier: str = "$"

    _v = field_validator("between", "after_number", "target", "plan_heading")(lambda cls, v: _check_regexes(v))


class CatalogueFile(_Strict):
    """The whole of metrics.yaml."""

    blockers: Blockers
    subject_drop: list[str]
    metrics: list[Metric]

    _v = field_validator("subject_drop")(lambda cls, v: _check_regexes(v))


def _max_width(pattern: str) -> int | None:
    """The most characters a match of `pattern` can span, None when that is unbounded."""
    from re import _parser  # the stdlib's own parser: what the regex engine compiles

    hi = _parser.parse(pattern).getwidth()[1]
    return hi if hi < _parser.MAXREPEAT else None


class CompiledMetric:
    """A metric with its regexes compiled once."""

    __slots__ = ("spec", "trigger", "exclusion", "after", "fallback", "breakdown", "subject_fallback", "context")

    def __init__(self, spec: Metric) -> None:
        self.spec = spec
        self.trigger = re.compile("|".join(f"(?:{p})" for p in spec.triggers))
        self.exclusion = re.compile("|".join(f"(?:{p})" for p in spec.exclusions)) if spec.exclusions else None
        self.after = [(re.compile(a.pattern), a.to) for a in spec.after]
        f = spec.fallback
        self.fallback = re.compile("|".join(map(re.escape, f.words))) if f else None
        self.subject_fallback = re.compile(spec.subject_fallback) if spec.subject_fallback else None
        self.context = re.compile(spec.context) if spec.context else None
        b = spec.breakdown
        self.breakdown = re.compile("|".join(f"(?:{p})" for p in b.triggers)) if b else None


class Catalogue:
    """The loaded catalogue: metrics by id and by unit family, and the compiled blockers."""

    def __init__(self, data: CatalogueFile) -> None:
        self.data = data
        self.metrics = {m.id: CompiledMetric(m) for m in data.metrics}
        ids = [m.id for m in data.metrics]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"metrics.yaml: duplicate metric id(s) {sorted(dup)}")
        missing = set(CORE_METRICS) - set(ids)
        if missing:
            raise ValueError(f"metrics.yaml: core metric(s) missing: {sorted(missing)}")
        for m in data.metrics:
            for a in m.after:
                if a.to is not None and a.to not in self.metrics:
                    raise ValueError(f"metrics.yaml: {m.id}.after routes to unknown metric {a.to!r}")
            unknown = [x for x in m.inherits_scope_from if x not in self.metrics]
            if unknown:
                raise ValueError(f"metrics.yaml: {m.id}.inherits_scope_from names unknown metric(s) {unknown}")
            if m.breakdown is not None and m.breakdown.of not in self.metrics:
                raise ValueError(f"metrics.yaml: {m.id}.breakdown.of names unknown metric {m.breakdown.of!r}")
        self.by_family: dict[str, list[CompiledMetric]] = {
            f: [cm for cm in self.metrics.values() if f in cm.spec.families] for f in FAMILIES}
        # Per family, every phrase that could announce a number of it: a quick test that lets the
        # extractor skip the many numbers with no announcement at all.
        self.any_cue: dict[str, re.Pattern[str]] = {}
        for f, cms in self.by_family.items():
            parts = [p for cm in cms for p in cm.spec.triggers]
            parts += [p for cm in cms if cm.spec.breakdown for p in cm.spec.breakdown.triggers]
            parts += [re.escape(w) for cm in cms if cm.spec.fallback for w in cm.spec.fallback.words]
            self.any_cue[f] = re.compile("|".join(f"(?:{p})" for p in parts) or "(?!)")
        # The longest text a cue can match (None when unbounded): numbers of one clause then test only
        # the text after the part the number before them tested (classify.Classifier._cue_before).
        self.cue_width: dict[str, int | None] = {f: _max_width(rx.pattern) for f, rx in self.any_cue.items()}
        b = data.blockers
        self.between = re.compile("|".join(f"(?:{p})" for p in b.between))
        self.after_number = re.compile("|".join(f"(?:{p})" for p in b.after_number))
        self.target = re.compile("|".join(f"(?:{p})" for p in b.target))
        self.classifier_counters = tuple(b.classifier_counters)
        self.after_classifier = re.compile(b.after_classifier)
        self.plan_heading = re.compile("|".join(f"(?:{p})" for p in b.plan_heading))
        self.subject_drop = re.compile("|".join(f"(?:{p})" for p in data.subject_drop))
        # The same without the entries anchored at the phrase start (^…): after position 0 they never
        # match, and without them every alternative starts with a literal or a class, so a scan skips
        # ahead. See subjects.SubjectReader._clean_subject.
        rest = [p for p in data.subject_drop if not p.startswith("^")]
        self.subject_drop_rest = re.compile("|".join(f"(?:{p})" for p in rest)) \
            if all("(?<" not in p and "^" not in p for p in rest) else self.subject_drop

    def emitted(self) -> list[Metric]:
        """The metrics that produce figures (the ten core ones and any added later)."""
        return [cm.spec for cm in self.metrics.values() if cm.spec.emit]


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Parse and validate a catalogue file; raises ValueError naming the file and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Catalogue(CatalogueFile.model_validate(raw))
    except (yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


@cache
def catalogue() -> Catalogue:
    """The packaged catalogue, loaded once per process."""
    return load_catalogue()
