"""Chart specs, asserted through to_dict(): encodings and sizes that keep labels readable."""

from maturity.charts import counts_chart, likert_chart


def test_counts_chart_gives_every_answer_its_own_band():
    spec = counts_chart({"a": 3, "b": 1}, {"a": "Alpha", "b": "Beta"}, sort_by_value=True).to_dict()
    assert spec["height"] == {"step": 30}
    assert spec["encoding"]["y"]["sort"] == ["Alpha", "Beta"]
    assert [row["respondents"] for row in spec["datasets"][spec["data"]["name"]]] == [3, 1]


def test_likert_chart_diverges_around_the_middle_answer():
    labels = ("SD", "D", "N", "A", "SA")
    spec = likert_chart(labels, {1: 1, 3: 2, 5: 1}).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    neutral = next(r for r in rows if r["answer"] == "N")
    assert abs(neutral["start"] + neutral["end"]) < 1e-9  # the neutral share straddles zero
    assert rows[0]["start"] == -0.5 and rows[-1]["end"] == 0.5


def test_summary_chart_layers_consensus_and_target_on_the_ladder(dmm):
    from maturity.charts import summary_chart

    spec = summary_chart(dmm, [("Data strategy", 1, 3), ("Skills", 2, None)]).to_dict()
    assert spec["height"] == {"step": 34} and len(spec["layer"]) == 2
    rows = spec["datasets"][spec["data"]["name"]] if "data" in spec else next(iter(spec["datasets"].values()))
    assert {(r["segment"], r["what"], r["level"]) for r in rows} == {
        ("Data strategy", "Consensus", 1), ("Data strategy", "Target", 3), ("Skills", "Consensus", 2),
    }  # fmt: skip
    assert spec["layer"][1]["encoding"]["x"]["scale"]["domain"] == [0, 5]
