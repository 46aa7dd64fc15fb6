"""Titles that are held: awarded, kept, put on probation (复审), re-certified (复牌), lost.

For each title of the rule file (``titles:``) and each entity, its periods in time order
(one granularity at a time) decide, one after another:

* not held: the title is **awarded** at the end of ``award_after`` consecutive qualifying
  periods — stars at ``stars`` or more and no ``revoke_on`` veto — counted afresh after a
  gap or a revocation;
* held, in this order: a gap in the periods (the previous one missing) **revokes**; a fired
  ``revoke_on`` veto revokes; at every ``review_every``-th period since the award the title
  is **recertified** if the last ``award_after`` periods were all at ``stars`` or more
  (without a gap), else revoked (failed review); otherwise it is **held** at ``stars`` or
  more, on **probation** at ``keep_at`` or more for at most ``grace`` periods in a row (the
  next one revokes), and revoked below ``keep_at``.

One row a (entity, period, title) where the title is awarded, held, on probation,
recertified or revoked, with the reason in words. The periods of all entities advance
together: one step of numpy work a period, never a loop a row or an entity.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import PeriodError, Problem
from ..periods import GRANULARITIES, Granularity, parse_periods, period_label
from ..rules.model import RuleSet
from ..rules.parts import TitleRule
from ..scoring.result import Result
from ..values import to_python
from .history import TimeOrder, time_order

__all__ = ["STATES", "titles"]

STATES = ("awarded", "held", "probation", "recertified", "revoked")
"""What a row says of a title, in that period."""

_AWARDED, _HELD, _PROBATION, _RECERTIFIED, _REVOKED = range(1, 6)
_GAP, _VETO, _REVIEW, _GRACE, _BELOW = range(1, 6)  # why revoked


def titles(result: Result, time: TimeOrder | None = None,
           at: Granularity | None = None) -> list[dict[str, Any]]:
    """Every (entity, period, title) where a title is awarded, held, on probation,
    recertified or revoked: ``entity``, ``period``, ``title`` (id), ``name`` (its title),
    ``state`` (one of :data:`STATES`) and ``reason``, in entity and time order.

    ``at="quarter"`` or ``"year"``: the titles held at the end of each quarter (year) —
    one row a (entity, quarter, title) whose state at the entity's last period of that
    quarter is not ``revoked``, with ``period`` the quarter and ``as_of`` that period.
    """
    rules = result.rules
    if not rules.titles:
        return []
    if result.rolled_up:
        raise PeriodError(Problem(
            "titles are decided period by period: ask the card of the periods scored, with "
            "at='quarter' or at='year' for the titles held at the end of each"))
    time = time or time_order(result)
    order = time.order
    starts = np.flatnonzero(~time.same_run)  # each run of one entity's periods
    length = np.diff(np.r_[starts, order.shape[0]])
    last = np.ones(order.shape[0], dtype=bool)  # positions whose state is reported
    coarse_label: list[str] = []
    if at is not None:
        if at not in GRANULARITIES:
            raise PeriodError(Problem(f"at must be one of {list(GRANULARITIES)}; got {at!r}"))
        assert result.table.period is not None  # time_order refused a card without periods
        index = parse_periods(result.table.period, result.describe_rows, rules.period or "")
        coarse = index.coarsened(at)[order]
        # the entity's last period within each coarser period: the next position differs
        last[:-1] = (coarse[1:] != coarse[:-1]) | ~time.same_run[1:]
        target = GRANULARITIES.index(at)
        coarse_label = [period_label(target, c) for c in coarse.tolist()]
    out: list[tuple[int, int, int, int, int]] = []  # (position, title, state, why, extra)
    for t, rule in enumerate(rules.titles):
        states, whys, extra, held = _walk(result, rule, order, time.contiguous, starts, length)
        found = np.flatnonzero(held & last if at is not None else states > 0)
        out += [(p, t, states[p], whys[p], extra[p]) for p in found.tolist()]
    out.sort()
    period = result.table.period
    entity = to_python(result.table.entity[order])
    labels = to_python(period[order]) if period is not None else [None] * order.shape[0]
    stars = result.figures.stars[order]
    rows = []
    for p, t, s, why, more in out:
        rule = rules.titles[t]
        row = {"entity": entity[p], "period": coarse_label[p] if at else labels[p],
               "title": rule.id, "name": rule.title or rule.id,
               "state": STATES[s - 1] if s else "held",
               "reason": _reason(rules, rule, s, why, int(stars[p]), more)}
        if at is not None:
            row["as_of"] = labels[p]
        rows.append(row)
    return rows


def _walk(result: Result, rule: TitleRule, order: npt.NDArray[np.intp],
          contiguous: npt.NDArray[np.bool_], starts: npt.NDArray[np.intp],
          length: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8],
                                                 npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """State, reason and a number for the reason (run length, probation count, veto index)
    at each position of ``order``, and whether the title is held after it, for one title."""
    rules, f = result.rules, result.figures
    n = order.shape[0]
    stars = f.stars[order]
    vetoed = np.zeros(n, dtype=bool)
    first_veto = np.full(n, -1, dtype=np.int64)
    for v, veto in reversed(list(enumerate(rules.vetoes))):
        if veto.id in rule.revoke_on:
            fired = f.vetoed[v][order]
            vetoed |= fired
            first_veto = np.where(fired, v, first_veto)
    at_level = stars >= rule.stars
    # the run of periods at the level ending at each position (no gap): for reviews
    position = np.arange(n)
    continues = at_level & np.r_[False, at_level[:-1]] & contiguous
    run = np.where(at_level, position - np.maximum.accumulate(np.where(continues, 0, position))
                   + 1, 0)
    keep_at = rule.stars if rule.keep_at is None else rule.keep_at
    states = np.zeros(n, dtype=np.int8)
    whys = np.zeros(n, dtype=np.int8)
    extra = np.zeros(n, dtype=np.int64)
    held_after = np.zeros(n, dtype=bool)
    holding = np.zeros(starts.shape[0], dtype=bool)
    count = np.zeros(starts.shape[0], dtype=np.int64)  # qualifying periods in a row, not held
    since = np.zeros(starts.shape[0], dtype=np.int64)  # periods since the award
    trial = np.zeros(starts.shape[0], dtype=np.int64)  # probation periods in a row
    for k in range(int(length.max(initial=0))):  # the k-th period of every entity at once
        live = np.flatnonzero(length > k)
        p = starts[live] + k
        gap = ~contiguous[p] if k else np.zeros(live.shape[0], dtype=bool)
        held = holding[live]
        since[live] = np.where(held & ~gap, since[live] + 1, 0)
        review = held & ~gap & (rule.review_every is not None) & (
            since[live] % (rule.review_every or 1) == 0)
        state = np.zeros(live.shape[0], dtype=np.int8)
        why = np.zeros(live.shape[0], dtype=np.int8)
        more = np.zeros(live.shape[0], dtype=np.int64)
        # held: the first rule that applies decides
        rest = held.copy()
        for cond, s, w in ((gap, _REVOKED, _GAP), (vetoed[p], _REVOKED, _VETO)):
            hit = rest & cond
            state[hit], why[hit] = s, w
            rest &= ~hit
        passed = run[p] >= rule.award_after
        hit = rest & review
        state[hit] = np.where(passed[hit], _RECERTIFIED, _REVOKED)
        why[hit] = np.where(passed[hit], 0, _REVIEW)
        rest &= ~hit
        hit = rest & at_level[p]
        state[hit] = _HELD
        rest &= ~hit
        probation = rest & (stars[p] >= keep_at)
        tried = np.where(probation, trial[live] + 1, 0)
        over = probation & (tried > rule.grace)
        state[probation], more[probation] = _PROBATION, tried[probation]
        state[over], why[over] = _REVOKED, _GRACE
        below = rest & ~probation
        state[below], why[below] = _REVOKED, _BELOW
        trial[live] = np.where(state == _PROBATION, tried, 0)
        more = np.where(why == _VETO, first_veto[p], more)
        # not held: count qualifying periods in a row, afresh after a gap
        qualifies = at_level[p] & ~vetoed[p]
        counted = np.where(qualifies, np.where(gap, 1, count[live] + 1), 0)
        awarded = ~held & (counted >= rule.award_after)
        state[awarded], more[awarded] = _AWARDED, counted[awarded]
        count[live] = np.where(held | awarded, 0, counted)
        holding[live] = (held & (state != _REVOKED)) | awarded
        since[live] = np.where(awarded, 0, since[live])
        states[p], whys[p], extra[p] = state, why, more
        held_after[p] = holding[live]
    return states, whys, extra, held_after


def _reason(rules: RuleSet, rule: TitleRule, state: int, why: int, stars: int,
            more: int) -> str:
    """Why a row is in its state, in the office's words."""
    level = f"{rule.stars}星"
    keep_at = rule.stars if rule.keep_at is None else rule.keep_at
    if state == 0:
        return "持有"
    if state == _AWARDED:
        return f"连续{more}期达到{level}，授予"
    if state == _HELD:
        return f"本期{stars}星，保持"
    if state == _PROBATION:
        return (f"本期{stars}星，低于{level}、不低于{keep_at}星：观察期第{more}期"
                f"（最多{rule.grace}期）")
    if state == _RECERTIFIED:
        return f"复审：最近{rule.award_after}期均达到{level}，复牌"
    if why == _GAP:
        return "考核期中断（缺少上一期），撤销"
    if why == _VETO:
        veto = rules.vetoes[more]
        return f"一票否决：{veto.title or veto.id}，撤销"
    if why == _REVIEW:
        return f"复审未通过：最近{rule.award_after}期未均达到{level}，撤销"
    if why == _GRACE:
        return f"连续{rule.grace + 1}期低于{level}，超过观察期{rule.grace}期，撤销"
    return f"本期{stars}星，低于保留线{keep_at}星，撤销"
