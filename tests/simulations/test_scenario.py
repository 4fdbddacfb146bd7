"""Scenarios are data: bundled TOML files, loaded by name or path, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from tolerance.simulations import ScenarioError, list_scenarios, load_scenario, scenario_from_dict


def test_bundled_scenarios_are_listed_and_load() -> None:
    names = list_scenarios()
    assert {"calm", "stress-spike", "paced-breathing", "artifacts"} <= set(names)
    for name in names:
        sc = load_scenario(name)
        assert sc.name == name and sc.description and sc.duration_s > 0


def test_stress_spike_has_one_event_with_a_time_constant() -> None:
    (event,) = load_scenario("stress-spike").stress
    assert event.at_s > 0 and event.tau_s > 0


def test_unknown_name_lists_the_available_scenarios() -> None:
    with pytest.raises(ScenarioError, match="unknown scenario 'nope'") as info:
        load_scenario("nope")
    assert "calm" in str(info.value) and "stress-spike" in str(info.value)
    assert "calm" in info.value.available
    assert isinstance(info.value, ValueError)


def test_a_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('description = "x"\nduration_s = 60\n[heart]\nhr_bpm = 80\nrmssd_ms = 25\n')
    sc = load_scenario(path)
    assert (sc.name, sc.duration_s, sc.heart.hr_bpm) == ("mine", 60.0, 80.0)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[heart]\nhr_bmp = 70\n", "heart.hr_bmp"),
        ("[heart]\nhr_bpm = 'fast'\n", "heart.hr_bpm"),
        ("duration_s = -5\n", "duration_s"),
        ("[[breathing]]\nat_s = 10\nper_min = 90\n", "breathing[0].per_min"),
        ("[[faults.events]]\nkind = 'gremlin'\nat_s = 3\n", "faults.events[0].kind"),
        ("[[stress]]\nat_s = 10\ntau_s = 0\n", "stress[0].tau_s"),
        ("colour = 'red'\n", "colour"),
        ("[strap]\naccelerometer_hz = 30\n", "strap.accelerometer_hz"),  # not an H10 rate
    ],
)
def test_a_bad_field_is_named(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == field
    assert field in str(info.value) and "bad.toml" in str(info.value)


def test_invalid_toml_and_missing_file_are_scenario_errors(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[heart\n")
    with pytest.raises(ScenarioError, match="invalid TOML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")


def test_an_unreachable_rmssd_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match="rsa_ms"):
        scenario_from_dict({"heart": {"rmssd_ms": 5, "rsa_ms": 60}})
