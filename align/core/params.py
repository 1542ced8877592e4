"""Every knob of the aligner (``AlignParams``) and the signature that names a run's settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from align.common.errors import UsageError
from align.common.version import __version__
from align.core.search import BeadType

__all__ = ["AlignParams", "signature"]


@dataclass(frozen=True)
class AlignParams:
    """Every knob of the search, with the defaults used for all languages and genres."""

    max_src: int = 4  # most source segments in one bead
    max_tgt: int = 4  # most target segments in one bead
    max_total: int = 5  # most segments in one bead (2-3 and 1-4 yes, 3-3 no)
    centre: bool = True  # remove each side's mean vector before comparing
    sim_weight: float = 6.0  # weight of the normalised similarity
    sim_offset: float = 0.5  # normalised similarity at which a bead is neutral
    low_sim: float = 0.5  # a bead less similar than this (normalised) ...
    low_weight: float = 10.0  # ... pays this times the shortfall squared; 0 = off
    len_weight: float = 1.0  # weight of the length log-likelihood
    len_tail: float = 1.0  # Student-t degrees of freedom of length deviations (1 = Cauchy, 0 = Gaussian)
    lex_weight: float = 1.0  # bonus for shared numbers/names (times similarity); 0 = off
    skip: float = 4.0  # cost of a segment left out (omission or addition)
    skip_theta: float = 0.5  # a segment whose best normalised similarity stays below this probably has no counterpart
    skip_rate: float = 0.05  # share of such segments the fixed ``skip`` is made for
    skip_prior: float = 10.0  # weight of that share, in segments, against a pair's own
    skip_slope: float = 3.0  # skip falls this much per unit of log(pair's share / skip_rate); 0 = fixed skip
    explain_low: bool = True  # such a segment that a window with a neighbour explains is not counted (``explain``)
    skip_min: float = 1.5  # never below this (nor above ``skip``)
    merge: float = 1.5  # cost per segment a bead has beyond one each side
    merge_big: float = 0.5  # extra cost per segment beyond three in one bead (3-1, 2-2, 1-4 ...)
    count_bonus: float = 1.0  # n-1/1-n bead whose sentence counts agree (lines, paragraphs); 0 = off
    orphan_skip: float = 1.5  # leaving out a segment whose number/URL the other text lacks costs this less
    orphan_merge: float = 0.5  # and each such segment on the many side of a merge costs it this much more
    member_drop: float = 0.25  # an edge member may lower its embedded window's normalised similarity this much free
    member_weight: float = 50.0  # cost per unit lowered beyond that (``members``); 0 = never embed windows
    para_first: bool = True  # align paragraphs first when both sides have them
    para_bonus: float = 0.5  # bonus for beads whose paragraph boundaries coincide
    reorder_window: int = 12  # pair moved segments up to this many segments away (``reorder``); 0 = off
    reorder_min: float = 0.8  # normalised similarity a moved pair needs (1 = the document's typical translation)
    reorder_margin: float = 0.5  # how much better the pair must fit than the beads its segments leave
    reorder_own: int = 20  # letters each line of a moved pair needs beyond the names/numbers they share; 0 = off
    refine: bool = True  # re-estimate the length model from a first pass
    refine_steps: int = 3  # at most this many re-estimates (fewer once the path stops changing)
    coarse_refine: bool = False  # re-estimate at the coarse levels of a long document too (they only place the band)
    max_cells: int = 1_000_000  # exact DP up to this many cells, else coarse-to-fine
    para_max_cells: int = 40_000  # the same for the paragraph pass (it only places the sentence band); at most max_cells
    band_radius: int = 8  # half-width of the band around a coarse path (segments)

    def __post_init__(self) -> None:
        if not 0.0 <= self.orphan_skip < self.skip:
            # at skip or above, leaving a segment out would be free or a gain
            raise UsageError(f"orphan_skip must be at least 0 and below skip ({self.skip}), got {self.orphan_skip}")
        if not 0.0 < self.skip_rate < 1.0 or self.skip_min < 0:
            raise UsageError(f"skip_rate must lie in (0, 1) and skip_min be at least 0: {self.skip_rate}, {self.skip_min}")
        for name in ("merge", "merge_big", "orphan_merge", "count_bonus", "member_drop", "member_weight", "reorder_window",
                     "reorder_margin", "reorder_own", "skip_slope", "skip_prior", "low_weight"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("max_cells", "para_max_cells"):
            if getattr(self, name) < 4:  # below, a one-segment side never gets small enough: no end to coarsening
                raise UsageError(f"{name} must be at least 4, got {getattr(self, name)}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_settings(self, settings: Sequence[str]) -> AlignParams:
        """A copy with ``KEY=VALUE`` settings applied (``align eval --set``): how an ablation is rerun.

        Each value is read as the type of the field's default; an unknown key or
        a value of the wrong type is a ``UsageError`` naming the setting.
        """
        known = {f.name: type(getattr(self, f.name)) for f in fields(self)}
        changes: dict[str, Any] = {}
        for item in settings:
            key, sep, raw = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in known:
                raise UsageError(f"--set {item!r}: expected KEY=VALUE with KEY one of {', '.join(sorted(known))}")
            kind = known[key]
            try:
                if kind is bool:
                    if raw.strip().lower() not in ("true", "false", "1", "0"):
                        raise ValueError(raw)
                    changes[key] = raw.strip().lower() in ("true", "1")
                else:
                    changes[key] = kind(raw)
            except ValueError:
                raise UsageError(f"--set {item!r}: {key} takes a {kind.__name__}") from None
        return replace(self, **changes)

    def bead_types(self) -> list[BeadType]:
        """Two-sided bead types, simplest first (ties go to simpler beads)."""
        out = [
            (a, b)
            for a in range(1, self.max_src + 1)
            for b in range(1, self.max_tgt + 1)
            if a + b <= self.max_total
        ]
        return sorted(out, key=lambda t: (t[0] + t[1], abs(t[0] - t[1]), -t[1]))


def signature(model_id: str, params: AlignParams | None = None) -> str:
    """``align:<version>|model:<id>|params:<settings that differ from the defaults, or default>``.

    Written into every output, so two runs can be told apart (or known equal)
    from their files alone.
    """
    params = params or AlignParams()
    default = AlignParams().as_dict()
    diff = {k: v for k, v in params.as_dict().items() if default.get(k) != v}
    ptxt = ",".join(f"{k}={v}" for k, v in sorted(diff.items())) if diff else "default"
    return f"align:{__version__}|model:{model_id}|params:{ptxt}"
