"""The small-number rule (DESIGN.md §7), shared by every page, export and document.

A figure built from fewer than ``threshold`` responses is not shown (the page says "too few
responses") to anyone but a beheerder (``exact``), who sees every figure, the small ones
marked (``small``).

Zero is shown: it is built from no response, so it tells nothing about any resident, and
hiding it would hide every quiet day, channel and answer option for no one's benefit. A zero
does serve as a complementary cell (see ``shown_cells``).
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One count as the viewer may see it: ``count`` is None when it is suppressed."""

    count: int | None
    percent: int | None = None  # whole percent of the figure's base; None if hidden or no base
    small: bool = False  # 1 to threshold-1: shown only because the viewer sees small numbers

    @property
    def suppressed(self) -> bool:
        return self.count is None


HIDDEN = Figure(None)


def percent(part: int, whole: int) -> int | None:
    """``part`` as a whole percentage of ``whole``, rounded half up; None without a base."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def is_small(count: int, threshold: int) -> bool:
    """Built from some, but fewer than ``threshold``, responses (zero describes nobody)."""
    return 0 < count < threshold


def shown_cells(counts: Sequence[int], *, threshold: int, ordered: bool = False) -> list[bool]:
    """Which cells of a one-dimensional breakdown may be shown (True) or are suppressed.

    Primary suppression: every small count (1 to ``threshold`` - 1) is hidden.

    Complementary suppression: the breakdown's total is shown elsewhere on the page (started,
    submitted), so a single hidden cell could be recovered as the total minus the shown
    cells. When exactly one cell is hidden, the next-smallest shown cell with responses (the
    first of equals; never a zero, which would protect nothing) is hidden as well; for an
    ``ordered`` breakdown (the steps of the funnel) the smaller of its neighbours, which keeps
    the hidden cells together. A small cell among zeros has no complement. With two or more hidden
    cells only their sum can be recovered, never one of them: the usual practice for
    one-dimensional tables. Differences between separate tables (started minus submitted,
    say) are not protected: those are the headline figures the page exists to show.
    """
    shown = [not is_small(count, threshold) for count in counts]
    if shown.count(False) == 1:
        hidden = shown.index(False)
        # A zero cell protects nothing: hidden with it, the small cell is still the total
        # minus the shown cells. The complement is always a cell with responses in it.
        candidates = [i for i, ok in enumerate(shown) if ok and counts[i] > 0]
        if ordered:
            neighbours = [i for i in (hidden - 1, hidden + 1) if i in candidates]
            candidates = neighbours or candidates
        if candidates:
            shown[min(candidates, key=lambda i: counts[i])] = False
    return shown


def single(count: int, base: int = 0, *, threshold: int, exact: bool) -> Figure:
    """A figure that stands alone (a total): only primary suppression applies."""
    small = is_small(count, threshold)
    if small and not exact:
        return HIDDEN
    return Figure(count, percent(count, base), small=small)


def breakdown(
    counts: Sequence[int],
    base: int = 0,
    *,
    threshold: int,
    exact: bool,
    ordered: bool = False,
) -> list[Figure]:
    """The cells of a one-dimensional breakdown, with percentages of ``base``."""
    if exact:
        shown = [True] * len(counts)
    else:
        shown = shown_cells(counts, threshold=threshold, ordered=ordered)
    return [
        Figure(count, percent(count, base), small=is_small(count, threshold)) if ok else HIDDEN
        for count, ok in zip(counts, shown, strict=True)
    ]
