"""rules/crosscheck.py: checks across fields, on the data as given."""

from __future__ import annotations

from typing import Any

from fortress_score.rules.crosscheck import cross_check


def rules(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ruleset": "r", "entity": "branch", "scale": 100,
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "a", "points": 1, "evaluate": {}}, {"id": "b", "points": 1, "evaluate": {}}]}],
        "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}],
    }
    return {**base, **extra}


def found(data: dict[str, Any]) -> dict[str, str]:
    return {".".join(map(str, loc)): message for loc, message in cross_check(data)}


def test_a_clean_rule_set_has_nothing_to_say() -> None:
    assert found(rules()) == {}


def test_ids_are_unique_across_every_kind_of_rule() -> None:
    data = rules(adjustments=[{"id": "a"}], vetoes=[{"id": "d"}])
    assert found(data) == {
        "adjustments.0.id": "id 'a' is already used by dimensions[0].indicators[0]",
        "vetoes.0.id": "id 'd' is already used by dimensions[0]",
    }


def test_ratings_rise_with_stars_and_rate_each_stars_once() -> None:
    data = rules(ratings=[{"stars": 5, "min": 70}, {"stars": 4, "min": 80},
                          {"stars": 4, "min": 60}])
    assert found(data) == {
        "ratings.2.stars": "4 stars are already rated by ratings[1]",
        "ratings.0.min": "must be above the min of 4 stars (80); got 70",
    }


def test_veto_caps_must_be_able_to_bite() -> None:
    data = rules(vetoes=[{"id": "v", "effect": {"total": 120, "max_stars": 5}}])
    assert found(data) == {
        "vetoes.0.effect.total": "must not be above the scale (100); got 120",
        "vetoes.0.effect.max_stars": "must be below the top rating (5 stars) to have an effect; got 5",
    }


def test_key_columns_differ_and_references_exist() -> None:
    data = rules(period="branch", benchmark={"stars": 3, "consecutive": 2},
                 commendations=[{"id": "c", "indicator": "aa", "stars": 6}])
    assert found(data) == {
        "period": "must differ from entity ('branch')",
        "benchmark.stars": "must be one of the rated stars [4, 5]; got 3",
        "commendations.0.indicator": "must be an indicator id (did you mean 'a'?); got 'aa'",
        "commendations.0.stars": "must be one of the rated stars [4, 5]; got 6",
    }


def test_malformed_parts_are_skipped_not_crashed_on() -> None:
    assert found({"dimensions": "x", "ratings": [1, None], "vetoes": [{"effect": 3}]}) == {}


def test_nan_and_infinity_are_refused_anywhere() -> None:
    data = rules(scale=float("nan"))
    data["dimensions"][0]["indicators"][0]["evaluate"] = {"kind": "x", "deep": [1.0, float("-inf")]}
    assert found(data) == {"scale": "must be a finite number; got nan",
                           "dimensions.0.indicators.0.evaluate.deep.1":
                           "must be a finite number; got -inf"}


def test_ids_are_compared_after_nfkc() -> None:
    data = rules()
    data["dimensions"][0]["indicators"][1]["id"] = "ａ"  # full-width a
    assert found(data) == {"dimensions.0.indicators.1.id":
                           "id 'a' is already used by dimensions[0].indicators[0]"}


def test_lookalike_scripts_are_named() -> None:
    from fortress_score.rules.crosscheck import mixed_scripts

    assert mixed_scripts("line_loss") is None and mixed_scripts("线损_loss") is None
    assert mixed_scripts("линия") is None  # one script is fine
    message = mixed_scripts("line_lоss")  # a Cyrillic о
    assert message is not None and "Latin and Cyrillic" in message
    assert "CYRILLIC SMALL LETTER O" in message
    assert "Greek" in (mixed_scripts("αlpha") or "")


def test_ids_that_read_the_same_are_refused() -> None:
    from fortress_score.rules.crosscheck import invisible, skeleton

    for twin in ("сор", "Cop"):  # all-Cyrillic, another case (one Cyrillic о: said at the id)
        data = rules()
        data["dimensions"][0]["indicators"][0]["id"] = "cop"
        data["dimensions"][0]["indicators"][1]["id"] = twin
        assert found(data)["dimensions.0.indicators.1.id"].startswith(
            f"id '{twin}' reads the same as 'cop'")
    assert skeleton("lıne_lоss") == skeleton("line_loss") == "line_loss"
    assert invisible("line_\u200bloss") is not None and invisible("line_loss") is None
    assert "SOFT HYPHEN" in (invisible("line\u00adloss") or "")
