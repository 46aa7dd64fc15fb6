"""Plug-ins: registration, name clashes and fault containment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import fortress_score as fs


class MeetingsParams(fs.Params):
    input: str
    required: int = 3


class Meetings(fs.Evaluator):
    """Meetings held against the number required ("三会一课")."""

    name = "meetings"
    Params = MeetingsParams

    def inputs(self, params: MeetingsParams) -> list[str]:
        return [params.input]

    def evaluate(self, columns: Mapping[str, np.ndarray], params: MeetingsParams, context: fs.Context) -> np.ndarray:
        return np.minimum(columns[params.input] / params.required, 1.0)


class Misbehaving(fs.Evaluator):
    """Returns whatever the test puts in `result`."""

    name = "misbehaving"
    Params = fs.Params

    def __init__(self, result: Any) -> None:
        self.result = result

    def inputs(self, params: Any) -> list[str]:
        return ["x"]

    def evaluate(self, columns: Mapping[str, np.ndarray], params: Any, context: fs.Context) -> Any:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result(columns["x"]) if callable(self.result) else self.result


class MeetingsPlugin:
    @fs.hookimpl
    def fortress_score_evaluators(self) -> list[fs.Evaluator]:
        return [Meetings()]


def rules(kind: str, **params: Any) -> dict[str, Any]:
    return {"ruleset": "p", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "meet", "points": 10, "evaluate": {"kind": kind, **params}}]}]}


DATA = {"branch": ["A", "B", "C"], "x": [1.0, 3.0, 6.0]}


@pytest.mark.parametrize("plugin", [MeetingsPlugin(), Meetings()], ids=["hookimpl object", "bare evaluator"])
def test_a_notebook_plugin_is_a_first_class_evaluator(plugin: Any) -> None:
    engine = fs.Engine(plugins=[plugin], entry_points=False)
    assert "meetings" in engine.evaluators()
    assert engine.evaluators()["meetings"].description.startswith("Meetings held")
    card = engine.score(rules("meetings", input="x"), DATA)
    assert [r["indicators"]["meet"] for r in card.to_records()] == [3.33, 10.0, 10.0]
    with pytest.raises(fs.RuleFileError, match="unknown key"):
        engine.load_rules(rules("meetings", input="x", requried=2))


def test_module_level_score_takes_plugins() -> None:
    card = fs.score(rules("meetings", input="x", required=6), DATA, plugins=[Meetings()])
    assert card.to_records()[1]["indicators"]["meet"] == 5.0
    assert card.provenance.evaluators["meetings"].startswith("object <Evaluator 'meetings'")


def test_two_evaluators_with_one_name_name_both_sources() -> None:
    class Target(Meetings):
        name = "target"

    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[Target()], entry_points=False)
    message = str(info.value)
    assert "'target' is provided twice" in message
    assert "module fortress_score.evaluators.target" in message and "<Evaluator 'target'" in message


def test_badly_declared_plugins_are_refused() -> None:
    class NoName(Meetings):
        name = ""

    class Plugin:
        @fs.hookimpl
        def fortress_score_evaluators(self) -> list[Any]:
            return [object(), NoName()]

    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[Plugin()], entry_points=False)
    assert len(info.value.problems) == 2
    assert "is not a fortress_score.Evaluator" in str(info.value) and "has no name" in str(info.value)


@pytest.mark.parametrize(("result", "expected"), [
    (ZeroDivisionError("boom"), "raised ZeroDivisionError: boom"),
    (lambda x: x[:2] / 10, "returned 2 values for 3 rows"),
    (lambda x: np.stack([x, x]), r"returned shape \(2, 3\) for 3 rows"),
    (lambda x: np.array(["a", "b", "c"]), "must return a numeric array"),
    (None, "must return a numeric array"),
    (lambda x: x, r"must return attainment in \[0, 1\] or NaN; got \[3.0, 6.0\] at rows \[1, 2\]"),
    (lambda x: -x, r"got \[-1.0, -3.0, -6.0\]"),
    (lambda x: x * np.inf, r"got \[inf, inf, inf\]"),
])
def test_a_misbehaving_plugin_is_stopped_with_its_name_source_and_rule(result: Any, expected: str) -> None:
    plugin = Misbehaving(result)
    engine = fs.Engine(plugins=[plugin], entry_points=False)
    with pytest.raises(fs.PluginError, match=expected) as info:
        engine.score(rules("misbehaving"), DATA)
    assert info.value.evaluator == "misbehaving"
    assert "misbehaving" in info.value.source
    assert "scoring 'meet'" in str(info.value)
    if isinstance(result, Exception):
        assert info.value.__cause__ is result


def test_a_veto_must_give_zero_or_one() -> None:
    engine = fs.Engine(plugins=[Misbehaving(lambda x: np.full(3, 0.5))], entry_points=False)
    vetoed = rules("target", input="x", target=1, floor=0) | {
        "vetoes": [{"id": "v", "when": {"kind": "misbehaving"}, "effect": {"total": 0}}]}
    with pytest.raises(fs.RuleFileError, match=r"vetoes\[0\]\.when: a veto's `when` must give 0 or 1, "
                       r"but 'misbehaving' gave \[0.5, 0.5, 0.5\]"):
        engine.score(vetoed, DATA)


def test_rules_loaded_elsewhere_need_their_evaluators_here() -> None:
    loaded = fs.Engine(plugins=[Meetings()], entry_points=False).load_rules(rules("meetings", input="x"))
    with pytest.raises(fs.PluginError, match="uses evaluator 'meetings', which this engine does not have"):
        fs.Engine(entry_points=False).score(loaded, DATA)


def test_evaluators_cannot_write_into_the_inputs() -> None:
    def scribble(x: np.ndarray) -> np.ndarray:
        x[0] = 0.5
        return x

    engine = fs.Engine(plugins=[Misbehaving(scribble)], entry_points=False)
    with pytest.raises(fs.PluginError, match="raised ValueError: assignment destination is read-only"):
        engine.score(rules("misbehaving"), {"branch": ["A"], "x": np.array([0.2])})


def test_hookspec_is_documented() -> None:
    from fortress_score.plugins import hookspecs

    doc = hookspecs.fortress_score_evaluators.__doc__ or ""
    assert "Returns:" in doc and "entry" in doc


def install_fake_package(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, entry: str, module: str | None) -> None:
    """A distribution `fs-fake 1.0` exposing `entry` under the fortress_score entry points."""
    dist = tmp_path / "fs_fake-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fs-fake\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[fortress_score]\n{entry}\n")
    if module is not None:
        (tmp_path / "fs_fake_plugin.py").write_text(module)
    monkeypatch.syspath_prepend(str(tmp_path))


FAKE_MODULE = '''
import numpy as np
import fortress_score as fs

class Half(fs.Evaluator):
    """Always one half."""
    name = "half"
    Params = fs.Params
    def inputs(self, params): return []
    def evaluate(self, columns, params, context): return np.full(context.n_rows, 0.5)

@fs.hookimpl
def fortress_score_evaluators():
    return [Half()]
'''


def test_entry_points_are_found_and_can_be_turned_off(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_package(tmp_path, monkeypatch, "half = fs_fake_plugin", FAKE_MODULE)
    engine = fs.Engine()
    assert engine.sources()["half"] == "package fs-fake 1.0"
    card = engine.score(rules("half"), DATA)
    assert [r["indicators"]["meet"] for r in card.to_records()] == [5.0, 5.0, 5.0]
    assert "half" not in fs.Engine(entry_points=False).evaluators()


def test_a_broken_entry_point_names_itself(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_package(tmp_path, monkeypatch, "broken = fs_fake_missing_module", None)
    with pytest.raises(fs.PluginError, match=r"entry point 'broken' \(fs_fake_missing_module\) of package "
                                             r"fs-fake 1.0 cannot be loaded: ModuleNotFoundError"):
        fs.Engine()
    assert "target" in fs.Engine(entry_points=False).evaluators()


def test_plugins_may_be_classes_and_module_names_but_must_implement_a_hook(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "meetings" in fs.Engine(plugins=[Meetings], entry_points=False).evaluators()
    (tmp_path / "fs_by_name.py").write_text(FAKE_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert fs.Engine(plugins=["fs_by_name"], entry_points=False).sources()["half"] == "module fs_by_name"
    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[object(), "fs_no_such_module"], entry_points=False)
    messages = [p.message for p in info.value.problems]
    assert any("implements no fortress_score hook" in m for m in messages)
    assert any("'fs_no_such_module' cannot be imported" in m for m in messages)


class ShareParams(fs.Params):
    part: fs.Column
    wholes: list[fs.Column]
    cap: float = 1.0


@fs.evaluator("share", params=ShareParams)
def share(columns: Mapping[str, np.ndarray], params: ShareParams, context: fs.Context) -> np.ndarray:
    """Part over the sum of the wholes."""
    whole = sum(columns[c] for c in params.wholes)
    return np.minimum(columns[params.part] / whole, params.cap)


class PeerParams(fs.Params):
    input: str


@fs.evaluator("peer_share", params=PeerParams, population=True, inputs=lambda p: [p.input])
def peer_share(columns: Mapping[str, np.ndarray], params: Any, context: fs.Context) -> np.ndarray:
    """Each row's share of its peer group's sum."""
    values = columns["x"]
    sums = np.bincount(context.groups, weights=values, minlength=context.n_groups)
    return values / sums[context.groups]


def test_a_decorated_function_is_an_evaluator_with_inputs_from_its_column_fields() -> None:
    engine = fs.Engine(plugins=[share, peer_share], entry_points=False)
    assert engine.evaluators()["share"].description == "Part over the sum of the wholes."
    assert engine.evaluators()["peer_share"].population
    rules = {"ruleset": "nb", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "s", "points": 10, "evaluate": {"kind": "share", "part": "x", "wholes": ["y", "z"]}},
        {"id": "p", "points": 10, "evaluate": {"kind": "peer_share", "input": "x"}}]}]}
    loaded = engine.load_rules(rules)
    assert loaded.columns_needed() == {"x": ["s", "p"], "y": ["s"], "z": ["s"]}
    card = engine.score(loaded, {"branch": ["A", "B"], "x": [1.0, 3.0], "y": [1.0, 1.0], "z": [1.0, 1.0]})
    # s: 1/2 = 0.5 -> 5 points, 3/2 capped -> 10 ; p: 1/4, 3/4 -> 2.5, 7.5
    assert [r["indicators"] for r in card.to_records()] == [{"s": 5.0, "p": 2.5}, {"s": 10.0, "p": 7.5}]
    with pytest.raises(fs.RuleFileError, match="unknown key"):
        engine.load_rules({**rules, "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "s", "points": 10, "evaluate": {"kind": "share", "part": "x", "wholes": ["y"], "extra": 1}}]}]})


def test_a_plugin_passed_twice_is_registered_once(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fs_twice.py").write_text(FAKE_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import fs_twice  # type: ignore[import-not-found]

    engine = fs.Engine(plugins=[fs_twice, "fs_twice"], entry_points=False)
    assert engine.sources()["half"] == "module fs_twice"


def test_plugin_mistakes_are_plugin_errors() -> None:
    class NeedsArgs(Meetings):
        def __init__(self, required: int) -> None:
            self.required = required

    class Raising:
        @fs.hookimpl
        def fortress_score_evaluators(self):  # type: ignore[no-untyped-def]
            yield Meetings()
            raise RuntimeError("half-way")

    with pytest.raises(fs.PluginError, match="cannot be created without arguments"):
        fs.Engine(plugins=[NeedsArgs], entry_points=False)
    with pytest.raises(fs.PluginError, match="raised RuntimeError: half-way"):
        fs.Engine(plugins=[Raising()], entry_points=False)
    with pytest.raises(TypeError, match="decorates a function"):
        fs.evaluator("z")(42)  # type: ignore[arg-type]
    # one plug-in need not be wrapped in a list
    assert "meetings" in fs.Engine(plugins=Meetings(), entry_points=False).evaluators()
    ragged = fs.Engine(plugins=[Misbehaving(lambda x: [[0.5], [0.1, 0.2], []])], entry_points=False)
    with pytest.raises(fs.PluginError, match="must return a numeric array"):
        ragged.score(rules("misbehaving"), DATA)


def test_inputs_from_optional_columns_and_a_hint_for_undeclared_reads() -> None:
    class Optional_(fs.Params):
        input: fs.Column
        baseline: fs.Column | None = None
        extra: list[fs.Column] | None = None

    @fs.evaluator("opt", params=Optional_)
    def opt(columns, params, context):  # type: ignore[no-untyped-def]
        return np.minimum(columns[params.input] / columns["undeclared"], 1.0)

    engine = fs.Engine(plugins=[opt], entry_points=False)
    loaded = engine.load_rules(rules("opt", input="x", baseline="y", extra=["z"]))
    assert set(loaded.columns_needed()) == {"x", "y", "z"}
    with pytest.raises(fs.PluginError, match=r"may read only its inputs \['x', 'y', 'z'\]"):
        engine.score(loaded, DATA | {"y": [1.0] * 3, "z": [1.0] * 3, "undeclared": [1.0] * 3})


def test_an_unhashable_plugin_object_is_registered() -> None:
    import dataclasses

    @dataclasses.dataclass
    class Settings:  # a dataclass instance is not hashable
        share: float = 0.5

        @fs.hookimpl
        def fortress_score_evaluators(self) -> list[fs.Evaluator[Any]]:
            share = self.share

            @fs.evaluator("settled")
            def settled(columns, params, context):  # type: ignore[no-untyped-def]
                return np.full(context.n_rows, share)
            return [settled]

    engine = fs.Engine(plugins=[Settings()], entry_points=False)
    assert engine.sources()["settled"] == "object " + repr(Settings())
    assert [r["total"] for r in engine.score(rules("settled"), DATA).to_records()] == [50.0] * 3


def install_package(tmp_path: Any, name: str, entries: str, module: str, source: str) -> None:
    dist = tmp_path / f"{name.replace('-', '_')}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[fortress_score]\n{entries}\n")
    (tmp_path / f"{module}.py").write_text(source)


def test_two_packages_may_publish_one_entry_name(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    install_package(tmp_path, "fs-one", "evaluators = fs_one_plugin", "fs_one_plugin", FAKE_MODULE)
    install_package(tmp_path, "fs-two", "evaluators = fs_two_plugin", "fs_two_plugin",
                    FAKE_MODULE.replace('"half"', '"also_half"'))
    monkeypatch.syspath_prepend(str(tmp_path))
    sources = fs.Engine().sources()
    assert sources["half"] == "package fs-one 1.0"
    assert sources["also_half"] == "package fs-two 1.0"


def test_one_module_published_under_two_names_is_registered_once(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_package(tmp_path, "fs-twice", "a = fs_twice_plugin\nb = fs_twice_plugin",
                    "fs_twice_plugin", FAKE_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert fs.Engine().sources()["half"] == "package fs-twice 1.0"
