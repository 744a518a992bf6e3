"""Trend rules for the leaders' view, checked against small hand-computed cases."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from maturity.domain import trends

T = pd.Timestamp


def history(*rows) -> pd.DataFrame:
    """Rows of (team_id, team, workshop_id, held_on, participants, segment_id, level, target) as a history frame."""
    return pd.DataFrame(
        [
            {
                "team_id": team_id, "team": team, "workshop_id": workshop_id, "workshop": f"W{workshop_id}",
                "held_on": T(held_on), "participants": participants, "segment_id": segment_id,
                "level": float(level), "target": float("nan") if target is None else float(target),
            }
            for team_id, team, workshop_id, held_on, participants, segment_id, level, target in rows
        ],
        columns=trends.HISTORY_COLUMNS,
    )  # fmt: skip


def done(*rows) -> pd.DataFrame:
    """Rows of (team_id, segment_id, completed_on) as done actions."""
    return pd.DataFrame(
        [{"team_id": t, "segment_id": s, "completed_on": T(c)} for t, s, c in rows],
        columns=["team_id", "segment_id", "completed_on"],
    )


def flat(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


# --------------------------------------------------------------------------- quarters


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (date(2026, 1, 1), "2026-01-01", "2026-03-31", "2026 Q1"),
        (date(2026, 3, 31), "2026-01-01", "2026-03-31", "2026 Q1"),
        (date(2026, 5, 17), "2026-04-01", "2026-06-30", "2026 Q2"),
        (date(2026, 7, 1), "2026-07-01", "2026-09-30", "2026 Q3"),
        (date(2026, 11, 2), "2026-10-01", "2026-12-31", "2026 Q4"),
        (date(2026, 12, 31), "2026-10-01", "2026-12-31", "2026 Q4"),
        (date(2028, 2, 29), "2028-01-01", "2028-03-31", "2028 Q1"),
    ],
)
def test_quarter_start_end_and_label(day, start, end, label):
    assert trends.quarter_start(day) == T(start)
    assert trends.quarter_end(day) == T(end)
    assert trends.quarter_label(day) == label


def test_quarter_helpers_take_timestamps_with_a_time_of_day():
    assert trends.quarter_start(T("2026-12-31 18:30")) == T("2026-10-01")
    assert trends.quarter_end(T("2026-12-31 18:30")) == T("2026-12-31")
    assert trends.quarter_label(T("2026-04-01 00:00")) == "2026 Q2"


# --------------------------------------------------------------------------- latest per segment


def test_latest_per_segment_takes_the_later_workshop_and_breaks_a_same_day_tie_by_workshop_id():
    h = history(
        (1, "Finance", 2, "2026-03-10", 6, "skills", 2, 4),  # later, listed first
        (1, "Finance", 1, "2026-01-10", 6, "skills", 1, 4),
        (1, "Finance", 4, "2026-05-05", 6, "metrics", 3, 3),  # same day as workshop 3: the higher id wins
        (1, "Finance", 3, "2026-05-05", 6, "metrics", 1, 3),
        (2, "Sales", 5, "2026-02-01", 7, "skills", 0, 2),
    )
    latest = trends.latest_per_segment(h)
    assert sorted(flat(latest, "team", "segment_id", "workshop_id", "level")) == [
        ("Finance", "metrics", 4, 3.0),
        ("Finance", "skills", 2, 2.0),
        ("Sales", "skills", 5, 0.0),
    ]


def test_latest_per_segment_of_nothing_is_empty():
    assert trends.latest_per_segment(trends.empty_history()).empty


# --------------------------------------------------------------------------- stuck segments


def runs(levels: list[int], target: int | None = 4, segment: str = "skills") -> list[tuple]:
    days = ["2025-10-01", "2026-01-15", "2026-04-15", "2026-07-15", "2026-10-15"]
    return [(1, "Finance", n + 1, days[n], 6, segment, lv, target) for n, lv in enumerate(levels)]


def test_flat_for_three_workshops_below_target_is_stuck_since_the_first_of_them():
    stuck = trends.stuck_segments(history(*runs([2, 2, 2])), after=3)
    assert stuck.to_dict("records") == [
        {
            "team_id": 1, "team": "Finance", "segment_id": "skills", "level": 2.0, "target": 4.0,
            "since": T("2025-10-01"), "workshops": 3,
        }
    ]  # fmt: skip


def test_the_flat_run_is_counted_back_from_the_latest_workshop():
    stuck = trends.stuck_segments(history(*runs([1, 2, 2, 2, 2])), after=3)
    assert flat(stuck, "since", "workshops", "level") == [(T("2026-01-15"), 4, 2.0)]


def test_rows_in_any_order_give_the_same_run():
    rows = runs([1, 3, 3, 3])
    stuck = trends.stuck_segments(history(*reversed(rows)), after=3)
    assert flat(stuck, "since", "workshops") == [(T("2026-01-15"), 3)]


@pytest.mark.parametrize(
    "levels",
    [
        [1, 2, 2],  # the rise is inside the last three workshops
        [2, 2, 3, 3],  # flat, then a rise, then only two flat
        [2, 2, 2, 3],  # rose at the latest workshop
        [2, 2],  # too few workshops
    ],
)
def test_a_rise_in_the_run_resets_it(levels):
    assert trends.stuck_segments(history(*runs(levels)), after=3).empty


def test_a_segment_at_or_above_target_or_without_one_is_not_stuck():
    h = history(*runs([3, 3, 3], target=3), *runs([4, 4, 4], target=3, segment="metrics"), *runs([1, 1, 1], None, "policies"))
    assert trends.stuck_segments(h, after=3).empty


def test_a_dip_then_flat_counts_as_no_rise():
    stuck = trends.stuck_segments(history(*runs([3, 2, 2])), after=3)
    assert flat(stuck, "level", "since", "workshops") == [(2.0, T("2025-10-01"), 3)]
    longer = trends.stuck_segments(history(*runs([1, 3, 2, 2, 2])), after=3)
    assert flat(longer, "since", "workshops") == [(T("2026-01-15"), 4)]


def test_by_default_stuck_means_a_year_of_quarterly_workshops_without_a_rise():
    assert trends.STUCK_AFTER == 4
    assert trends.stuck_segments(history(*runs([2, 2, 2]))).empty
    assert flat(trends.stuck_segments(history(*runs([2, 2, 2, 2]))), "workshops") == [(4,)]


def test_stuck_is_per_team_and_segment_and_after_can_be_raised():
    h = history(*runs([2, 2, 2]), *runs([1, 2, 3], segment="metrics"), (2, "Sales", 9, "2026-04-15", 7, "skills", 2, 4))
    assert flat(trends.stuck_segments(h, after=3), "team", "segment_id") == [("Finance", "skills")]
    assert trends.stuck_segments(h, after=4).empty


# --------------------------------------------------------------------------- anonymity


def latest(*rows) -> pd.DataFrame:
    return trends.latest_per_segment(history(*rows))


BIG = [(1, "Finance", 1, "2026-03-01", 8, "skills", 2, 4), (1, "Finance", 1, "2026-03-01", 8, "metrics", 3, 3)]


def test_one_small_team_is_hidden_and_absent_from_the_frame():
    protected = trends.protect_small_teams(
        latest(*BIG, (2, "Legal", 2, "2026-03-02", 3, "skills", 4, 5), (2, "Legal", 2, "2026-03-02", 3, "metrics", 1, 2)), 5
    )
    assert set(protected.frame["team"]) == {"Finance"} and len(protected.frame) == 2
    assert (protected.hidden, protected.grouped, protected.min_size) == (("Legal",), (), 5)
    assert protected.note == "1 team(s) with fewer than 5 participants are left out."


def test_two_small_teams_that_add_up_are_shown_together_as_their_median():
    protected = trends.protect_small_teams(
        latest(
            *BIG,
            (2, "Legal", 2, "2026-03-02", 2, "skills", 1, 3),
            (2, "Legal", 2, "2026-03-02", 2, "metrics", 0, 2),
            (3, "Audit", 3, "2026-04-20", 3, "skills", 3, 4),
            (3, "Audit", 3, "2026-04-20", 3, "metrics", 2, 3),
        ),  # fmt: skip
        5,
    )
    frame = protected.frame
    assert set(frame["team"]) == {"Finance", trends.SMALLER_TEAMS}
    assert not {"Legal", "Audit"} & set(frame["team"])
    group = frame[frame["team"] == trends.SMALLER_TEAMS].sort_values("segment_id")
    assert flat(group, "segment_id", "level", "target", "participants", "team_id") == [
        ("metrics", 1.0, 2.5, 5, -1),
        ("skills", 2.0, 3.5, 5, -1),
    ]
    assert set(group["held_on"]) == {T("2026-04-20")}  # the latest of the pooled workshops
    assert protected.grouped == ("Audit", "Legal") and protected.hidden == ()
    assert protected.note == f"2 teams with fewer than 5 participants are shown together as “{trends.SMALLER_TEAMS}”."


def test_the_smaller_teams_row_takes_the_median_not_the_mean():
    protected = trends.protect_small_teams(
        latest(
            (2, "Legal", 2, "2026-03-02", 2, "skills", 1, 2),
            (3, "Audit", 3, "2026-03-03", 2, "skills", 3, 4),
            (4, "Tax", 4, "2026-03-04", 2, "skills", 4, 5),
        ),
        5,
    )
    assert flat(protected.frame, "team", "segment_id", "level", "target", "participants") == [
        (trends.SMALLER_TEAMS, "skills", 3.0, 4.0, 6)
    ]
    assert protected.grouped == ("Audit", "Legal", "Tax")


def test_two_small_teams_still_below_the_minimum_together_are_both_hidden():
    protected = trends.protect_small_teams(
        latest(*BIG, (2, "Legal", 2, "2026-03-02", 2, "skills", 1, 3), (3, "Audit", 3, "2026-03-03", 2, "skills", 3, 4)), 5
    )
    assert set(protected.frame["team"]) == {"Finance"}
    assert protected.hidden == ("Audit", "Legal") and protected.grouped == ()
    assert protected.note == "2 team(s) with fewer than 5 participants are left out."


def test_a_team_exactly_at_the_minimum_is_shown():
    rows = latest(*BIG, (2, "Legal", 2, "2026-03-02", 5, "skills", 4, 5))
    protected = trends.protect_small_teams(rows, 5)
    assert sorted(set(protected.frame["team"])) == ["Finance", "Legal"] and len(protected.frame) == 3
    assert (protected.grouped, protected.hidden, protected.note) == ((), (), "")


def test_a_team_is_small_when_any_latest_row_comes_from_a_small_workshop():
    protected = trends.protect_small_teams(
        latest(*BIG, (2, "Legal", 2, "2026-01-10", 9, "skills", 4, 5), (2, "Legal", 3, "2026-03-02", 3, "metrics", 1, 2)), 5
    )
    assert set(protected.frame["team"]) == {"Finance"} and protected.hidden == ("Legal",)


def test_no_smaller_teams_cell_stands_for_a_single_small_team():
    """Legal (2) and Audit (3) add up to 5, but only Legal discussed metrics: that cell would be Legal's alone."""
    protected = trends.protect_small_teams(
        latest(
            *BIG,
            (2, "Legal", 2, "2026-03-02", 2, "skills", 1, 3),
            (2, "Legal", 2, "2026-03-02", 2, "metrics", 0, 2),
            (3, "Audit", 3, "2026-04-20", 3, "skills", 3, 4),
        ),  # fmt: skip
        5,
    )
    group = protected.frame[protected.frame["team"] == trends.SMALLER_TEAMS]
    assert set(group["segment_id"]) == {"skills"}, "the metrics cell shows Legal's own level (0) on its own"
    assert (group["participants"] >= 5).all()


def test_protecting_nothing_returns_nothing():
    protected = trends.protect_small_teams(trends.empty_history(), 5)
    assert protected.frame.empty and protected.note == ""


def test_drop_small_workshops_keeps_the_rest_and_counts_the_workshops_dropped():
    h = history(
        (1, "Finance", 1, "2026-01-10", 6, "skills", 1, 3), (1, "Finance", 1, "2026-01-10", 6, "metrics", 2, 3),
        (1, "Finance", 2, "2026-04-10", 3, "skills", 2, 3), (1, "Finance", 2, "2026-04-10", 3, "metrics", 2, 3),
        (1, "Finance", 3, "2026-07-10", 5, "skills", 2, 3),
        (1, "Finance", 4, "2026-10-10", 1, "skills", 3, 3),
    )  # fmt: skip
    kept, dropped = trends.drop_small_workshops(h, 5)
    assert dropped == 2
    assert flat(kept, "workshop_id", "segment_id") == [(1, "skills"), (1, "metrics"), (3, "skills")]


# --------------------------------------------------------------------------- trends


def test_section_averages_take_the_mean_per_section_and_keep_unmapped_segments_apart():
    h = history(
        (1, "Finance", 1, "2026-01-10", 6, "skills", 1, 3), (1, "Finance", 1, "2026-01-10", 6, "behaviour", 2, 4),
        (1, "Finance", 1, "2026-01-10", 6, "metrics", 3, 3), (1, "Finance", 1, "2026-01-10", 6, "orphan", 0, 1),
        (1, "Finance", 2, "2026-04-10", 6, "skills", 3, 3),
    )  # fmt: skip
    out = trends.section_averages(h, {"skills": "People", "behaviour": "People", "metrics": "Tools"})
    assert sorted(flat(out, "workshop_id", "section", "level", "target")) == [
        (1, "People", 1.5, 3.5),
        (1, "Tools", 3.0, 3.0),
        (1, "orphan", 0.0, 1.0),
        (2, "People", 3.0, 3.0),
    ]


def test_organisation_trend_counts_each_team_once_per_quarter_with_its_last_workshop():
    h = history(
        (1, "Finance", 1, "2026-01-10", 6, "skills", 1, 3),
        (1, "Finance", 2, "2026-03-20", 6, "skills", 3, 4),  # Finance's last in Q1
        (2, "Sales", 3, "2026-02-01", 7, "skills", 2, 5),
        (1, "Finance", 4, "2026-05-01", 6, "skills", 4, 4),
        (2, "Sales", 5, "2026-02-01", 7, "metrics", 0, 1),
    )
    out = trends.organisation_trend(h).sort_values(["segment_id", "quarter"])
    assert flat(out, "segment_id", "quarter", "level", "target", "teams", "held_on") == [
        ("metrics", "2026 Q1", 0.0, 1.0, 1, T("2026-02-15")),
        ("skills", "2026 Q1", 2.5, 4.5, 2, T("2026-02-15")),  # (3 + 2) / 2, not (1 + 3 + 2) / 3
        ("skills", "2026 Q2", 4.0, 4.0, 1, T("2026-05-16")),
    ]


def test_organisation_trend_never_shows_a_quarter_made_of_one_small_team():
    h = history(
        (1, "Finance", 1, "2026-02-01", 6, "skills", 2, 3),  # Q1: a big team and a small one together
        (2, "Legal", 2, "2026-02-03", 3, "skills", 4, 4),
        (2, "Legal", 3, "2026-05-01", 3, "skills", 1, 3),  # Q2: the small team alone
        (2, "Legal", 4, "2026-08-01", 3, "skills", 2, 3),  # Q3: two small teams adding up to the minimum
        (3, "Audit", 5, "2026-08-02", 2, "skills", 4, 5),
        (3, "Audit", 6, "2026-11-02", 2, "skills", 4, 5),  # Q4: alone again
    )
    out = trends.organisation_trend(h, min_size=5)
    # Q1: the small team is not averaged in beside one big team (the line minus Finance's own would be Legal's)
    assert flat(out, "quarter", "level", "teams") == [("2026 Q1", 2.0, 1), ("2026 Q3", 3.0, 2)]
    assert len(trends.organisation_trend(h)) == 4  # no minimum: every quarter


def test_chosen_teams_never_pool_small_teams_so_subsets_cannot_be_compared():
    h = history(
        (1, "A", 1, "2026-02-01", 3, "skills", 1, 3),
        (2, "B", 2, "2026-02-01", 3, "skills", 2, 3),
        (3, "C", 3, "2026-02-01", 3, "skills", 4, 5),
    )
    assert flat(trends.protect_small_teams(h, 5).frame, "team", "level") == [(trends.SMALLER_TEAMS, 2.0)]
    kept = trends.protect_small_teams(h[h["team"] != "C"], 5, pool=False)
    assert kept.frame.empty and kept.hidden == ("A", "B") and not kept.grouped


def test_organisation_trend_breaks_a_same_day_tie_by_workshop_id():
    h = history((1, "Finance", 8, "2026-02-01", 6, "skills", 3, 4), (1, "Finance", 7, "2026-02-01", 6, "skills", 1, 4))
    assert flat(trends.organisation_trend(h), "level", "teams") == [(3.0, 1)]


# --------------------------------------------------------------------------- follow-through


STEPS = history(
    (1, "Finance", 1, "2026-01-10", 6, "skills", 1, 4),
    (1, "Finance", 2, "2026-04-10", 6, "skills", 3, 4),
    (1, "Finance", 3, "2026-07-10", 6, "skills", 2, 4),
    (1, "Finance", 1, "2026-01-10", 6, "metrics", 2, 3),
    (1, "Finance", 3, "2026-07-10", 6, "metrics", 2, 3),
)


def test_level_steps_count_actions_done_after_the_earlier_workshop_up_to_and_on_the_later_one():
    steps = trends.level_steps(
        STEPS,
        done(
            (1, "skills", "2026-01-10"),  # on the earlier workshop's day: before the first step
            (1, "skills", "2026-04-10"),  # on the later workshop's day: counts for the first step
            (1, "skills", "2026-04-11"),  # second step
            (1, "skills", "2026-07-10"),  # second step, on its last day
            (1, "skills", "2026-07-11"),  # after the last workshop
            (2, "skills", "2026-03-01"),  # another team
            (1, "policies", "2026-03-01"),  # another segment
        ),
    )
    assert list(steps.columns) == ["team_id", "team", "segment_id", "start", "end", "before", "after", "change", "actions_done"]
    assert sorted(flat(steps, "segment_id", "start", "end", "before", "after", "change", "actions_done")) == [
        ("metrics", T("2026-01-10"), T("2026-07-10"), 2.0, 2.0, 0.0, 0),  # a skipped workshop is no step
        ("skills", T("2026-01-10"), T("2026-04-10"), 1.0, 3.0, 2.0, 1),
        ("skills", T("2026-04-10"), T("2026-07-10"), 3.0, 2.0, -1.0, 2),
    ]


def test_level_steps_without_done_actions_count_zero():
    steps = trends.level_steps(STEPS, done())
    assert len(steps) == 3 and steps["actions_done"].tolist() == [0, 0, 0]
    assert trends.level_steps(trends.empty_history(), done()).empty


def test_action_effect_averages_the_change_with_and_without_actions():
    steps = pd.DataFrame({"change": [1.0, 2.0, 0.0, 0.0, 1.0], "actions_done": [1, 3, 0, 0, 0]})
    effect = trends.action_effect(steps)
    assert (effect.with_actions, effect.without_actions, effect.steps_with, effect.steps_without) == (1.5, 0.33, 2, 3)
    assert effect.rows == [
        {"steps": trends.NO_ACTION, "change": 0.33, "n": 3},
        {"steps": trends.WITH_ACTION, "change": 1.5, "n": 2},
    ]


def test_action_effect_leaves_out_a_side_with_no_steps():
    effect = trends.action_effect(pd.DataFrame({"change": [0.0, -1.0], "actions_done": [0, 0]}))
    assert (effect.with_actions, effect.without_actions, effect.steps_with, effect.steps_without) == (None, -0.5, 0, 2)
    assert effect.rows == [{"steps": trends.NO_ACTION, "change": -0.5, "n": 2}]


def test_segment_follow_through_sums_per_team_then_averages_over_teams():
    steps = pd.DataFrame(
        [
            {"team_id": 1, "segment_id": "skills", "change": 1.0, "actions_done": 1},
            {"team_id": 1, "segment_id": "skills", "change": 1.0, "actions_done": 0},
            {"team_id": 2, "segment_id": "skills", "change": -1.0, "actions_done": 2},
            {"team_id": 1, "segment_id": "metrics", "change": 0.0, "actions_done": 0},
        ]
    )
    finished = done((1, "skills", "2026-02-01"), (2, "skills", "2026-03-01"), (2, "policies", "2026-03-02"))
    out = trends.segment_follow_through(steps, finished).sort_values("segment_id")
    # actions done are every one in the period (policies had no two workshops to step between)
    assert out["change"].isna().tolist() == [False, True, False]
    assert flat(out.fillna({"change": -99}), "segment_id", "actions_done", "change", "teams") == [
        ("metrics", 0, 0.0, 1),
        ("policies", 1, -99, 0),
        ("skills", 2, 0.5, 2),
    ]


def actions(*rows) -> pd.DataFrame:
    """Rows of (status, created_on, due_on, completed_on)."""
    frame = pd.DataFrame(
        [
            {"team_id": 1, "segment_id": "skills", "title": f"A{n}", "status": s, "created_on": c, "due_on": d, "completed_on": x}
            for n, (s, c, d, x) in enumerate(rows)
        ],
        columns=trends.ACTION_COLUMNS,
    )
    for column in ("created_on", "due_on", "completed_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_action_flow_counts_opened_done_and_overdue_at_each_quarter_end():
    flow = trends.action_flow(
        actions(
            ("done", "2026-02-01", "2026-03-01", "2026-08-01"),  # late at the end of Q1 and Q2, done in Q3
            ("dropped", "2026-01-10", "2026-02-01", None),  # overdue by its dates, but dropped
            ("open", "2026-05-01", "2026-10-15", None),  # late only from mid-October
            ("in_progress", "2026-10-20", "2026-11-30", None),  # due before the quarter ends, not yet by today
            ("open", "2026-02-15", None, None),  # no due date: never late
        ),
        start=date(2026, 1, 1),
        end=date(2026, 11, 10),
        today=date(2026, 11, 10),
    )
    assert flow.to_dict("records") == [
        {"quarter": "2026 Q1", "quarter_start": T("2026-01-01"), "opened": 3, "done": 0, "overdue": 1},
        {"quarter": "2026 Q2", "quarter_start": T("2026-04-01"), "opened": 1, "done": 0, "overdue": 1},
        {"quarter": "2026 Q3", "quarter_start": T("2026-07-01"), "opened": 0, "done": 1, "overdue": 0},
        {"quarter": "2026 Q4", "quarter_start": T("2026-10-01"), "opened": 1, "done": 0, "overdue": 1},
    ]


def test_action_flow_an_action_due_on_the_quarters_last_day_is_not_yet_overdue():
    flow = trends.action_flow(
        actions(("open", "2026-01-05", "2026-03-31", None)), start=date(2026, 1, 1), end=date(2026, 4, 2), today=date(2026, 4, 2)
    )
    assert flat(flow, "quarter", "overdue") == [("2026 Q1", 0), ("2026 Q2", 1)]


def test_action_flow_counts_only_inside_the_period_and_a_done_action_without_a_date_is_never_late():
    flow = trends.action_flow(
        actions(
            ("open", "2026-01-05", None, None),  # before the period starts, in the same quarter
            ("open", "2026-02-20", None, None),
            ("done", "2026-01-06", "2026-02-01", None),  # done, date unknown: not overdue
            ("done", "2026-01-07", "2026-01-20", "2026-02-10"),  # done before the period
        ),
        start=date(2026, 2, 15),
        end=date(2026, 5, 10),
        today=date(2026, 11, 1),
    )
    assert flat(flow, "quarter", "opened", "done", "overdue") == [("2026 Q1", 1, 0, 0), ("2026 Q2", 0, 0, 0)]


def test_action_flow_of_no_actions_is_one_empty_quarter():
    flow = trends.action_flow(actions(), start=date(2026, 5, 1), end=date(2026, 5, 1), today=date(2026, 5, 1))
    assert flat(flow, "quarter", "opened", "done", "overdue") == [("2026 Q2", 0, 0, 0)]
