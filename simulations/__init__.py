"""Simulated heart-rate straps: a beat-by-beat heart model behind the Sensor protocol.

``SimulatedStrap`` streams the same items as a BLE strap (decoded 0x2A37 notifications,
connection events) from a scenario file and a seed; ``simulate`` runs it offline with the
ground truth (true beat times, arousal, vagal factor, artifacts) as numpy arrays.
Imports only :mod:`tolerance.sensors`, numpy and scipy.
"""

from .faults import Artifact, FaultEvent, FaultKind, FaultSettings
from .heart import HeartModel, HeartParams, StressEvent, TrueBeat, resonance_gain
from .offline import SimulationResult, simulate
from .scenario import (
    Scenario,
    ScenarioError,
    StrapParams,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
)
from .strap import GroundTruthBeat, SimulatedStrap, StrapEmulator

__all__ = [
    "Artifact",
    "FaultEvent",
    "FaultKind",
    "FaultSettings",
    "GroundTruthBeat",
    "HeartModel",
    "HeartParams",
    "Scenario",
    "ScenarioError",
    "SimulatedStrap",
    "SimulationResult",
    "StrapEmulator",
    "StrapParams",
    "StressEvent",
    "TrueBeat",
    "list_scenarios",
    "load_scenario",
    "resonance_gain",
    "scenario_from_dict",
    "simulate",
]
