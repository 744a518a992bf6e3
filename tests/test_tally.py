"""Vote summaries and consensus rules, against hand-computed cases."""

import pytest

from maturity.domain.tally import suggested_consensus, summarise


def test_summary_of_a_split_room():
    summary = summarise([1, 2, 2, 4, None, 3])
    assert summary.votes == 5 and summary.dont_know == 1
    assert (summary.lowest, summary.highest, summary.spread) == (1, 4, 3)
    assert summary.median == 2 and summary.mode == 2
    assert summary.disagreement


def test_even_split_credits_the_lower_level():
    summary = summarise([1, 1, 3, 3])
    assert summary.median == 1 and summary.mode == 1


def test_agreement_within_one_level_is_not_flagged():
    assert not summarise([2, 3, 3, 2]).disagreement


def test_only_dont_know_votes_give_no_level():
    summary = summarise([None, None])
    assert summary.votes == 0 and summary.median is None and suggested_consensus("median", summary) is None


@pytest.mark.parametrize(("rule", "expected"), [("median", 3), ("mode", 4), ("lowest", 1), ("facilitator", 3)])
def test_consensus_rules(rule, expected):
    assert suggested_consensus(rule, summarise([1, 3, 4, 4, 2, 4, 3])) == expected


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown consensus rule"):
        suggested_consensus("loudest", summarise([1]))


def test_two_camps_and_the_reason_to_discuss():
    from maturity.domain.tally import discussion_reason, outlier_levels, two_camps

    camps = summarise([1, 1, 1, 4, 4])
    assert two_camps(camps)
    assert discussion_reason(camps).startswith("two camps")
    lone = summarise([1, 1, 1, 1, 4])
    assert not two_camps(lone) and discussion_reason(lone) == "votes span 3 levels (1 to 4)"
    assert outlier_levels(lone) == [4]
    assert discussion_reason(summarise([2, 3, 3])) is None and outlier_levels(summarise([2, 3, 3])) == []


def test_convergence_after_a_second_vote():
    from maturity.domain.tally import convergence

    assert convergence(summarise([0, 2, 4]), summarise([2, 2, 3])).converged is True
    assert convergence(summarise([2, 3]), summarise([1, 4])).converged is False
    assert convergence(summarise([None]), summarise([2])).converged is None
