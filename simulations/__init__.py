"""Simulated heart-rate straps: a beat-by-beat heart model behind the Sensor protocol.

``SimulatedStrap`` streams the same items as a BLE strap (decoded 0x2A37 notifications,
connection events) from a scenario file and a seed; ``simulate`` runs it offline with the
ground truth (true beat times, arousal, vagal factor, activity, artifacts) as numpy arrays;
``scenario_truth`` lists a scenario's scripted episodes (stress, re-activations, activity,
breathing blocks), its true arousal and its baseline.
Imports only :mod:`tolerance.sensors`, numpy and scipy.
"""

from .events import Activity, BreathingBlock, StressEvent
from .faults import Artifact, FaultEvent, FaultKind, FaultSettings
from .heart import Guide, HeartModel, TrueBeat
from .motion import MotionBout, MotionModel
from .offline import SimulationResult, simulate
from .params import HeartParams, resonance_gain, resonance_phase
from .scenario import (
    Scenario,
    ScenarioError,
    StrapParams,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
)
from .strap import GroundTruthBeat, SimulatedStrap, StrapEmulator
from .truth import (
    REACTIVATION_WINDOW_S,
    RECOVERY_TAUS,
    ActivityTruth,
    BreathingTruth,
    ScenarioTruth,
    StressTruth,
    scenario_truth,
)

__all__ = [
    "Activity",
    "ActivityTruth",
    "Artifact",
    "BreathingBlock",
    "BreathingTruth",
    "FaultEvent",
    "FaultKind",
    "FaultSettings",
    "GroundTruthBeat",
    "Guide",
    "HeartModel",
    "HeartParams",
    "MotionBout",
    "MotionModel",
    "REACTIVATION_WINDOW_S",
    "RECOVERY_TAUS",
    "Scenario",
    "ScenarioError",
    "ScenarioTruth",
    "SimulatedStrap",
    "SimulationResult",
    "StrapEmulator",
    "StrapParams",
    "StressEvent",
    "StressTruth",
    "TrueBeat",
    "list_scenarios",
    "load_scenario",
    "resonance_gain",
    "resonance_phase",
    "scenario_from_dict",
    "scenario_truth",
    "simulate",
]
