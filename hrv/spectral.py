"""How a frequency figure is computed: :class:`SpectralParameters` and its three presets.

The default Welch layout (``"cover"``), neurokit2's (``"neurokit2"``) and Kubios HRV's settings
(``"kubios"``, :mod:`.kubios`); what each computes: :mod:`.frequency` (the first two) and
:mod:`.kubios`. Every analysis states its parameters (:meth:`SpectralParameters.as_dict`) in
its output. Imported by :mod:`.frequency`, which re-exports every name here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Final

from .errors import HrvInputError
from .kubios import (
    KUBIOS_LAMBDA,
    KUBIOS_OVERLAP,
    KUBIOS_POINTS_PER_HZ,
    KUBIOS_SEGMENT_S,
    KUBIOS_VLF_HZ,
    smoothness_priors_cutoff_hz,
)

__all__ = [
    "HF_BAND_HZ",
    "LF_BAND_HZ",
    "SPECTRUM_METHODS",
    "ULF_BAND_HZ",
    "VHF_BAND_HZ",
    "VLF_BAND_HZ",
    "WELCH_SEGMENT_LAYOUTS",
    "SpectralParameters",
    "spectral_parameters",
]

WELCH_SEGMENT_LAYOUTS: Final = {
    "cover": (
        "Welch, Hann, nperseg = int(N/2), nfft = 2 nperseg, 3 segments starting at round(k (N - nperseg) / 2), "
        "k = 0, 1, 2: every resampled point of the window is used (Tolerance's default)"
    ),
    "neurokit2": (
        "Welch as neurokit2 0.2.13 hrv_frequency: nperseg = int(N/2), noverlap = nperseg // 2, nfft = 2 nperseg; "
        "when N = 2 mod 4 only 2 segments fit and the last quarter of the window is left out"
    ),
    "kubios": (
        "Kubios HRV's FFT spectrum (Tarvainen et al. 2014; Kubios HRV user's guide), checked against public Kubios "
        "reports (docs/validation.md): cubic spline at 4 Hz, smoothness-priors detrending (default lambda = 500, "
        "Tarvainen et al. 2002) or none, Welch with MATLAB hanning segments (default 256 s, 50 % overlap) from the "
        "start while whole, 300 points/Hz by default; bands with both edges, the PSD interpolated at them; VLF "
        "0-0.04 Hz, TP = VLF + LF + HF; time domain of the detrended intervals, pNN50 over N - 1"
    ),
}
"""Welch segment layouts (``SpectralParameters.welch_segments``) and their descriptions."""
ULF_BAND_HZ: Final = (0.0, 0.0033)
VLF_BAND_HZ: Final = (0.0033, 0.04)
LF_BAND_HZ: Final = (0.04, 0.15)
HF_BAND_HZ: Final = (0.15, 0.4)
VHF_BAND_HZ: Final = (0.4, 0.5)


@dataclass(frozen=True, slots=True)
class SpectralParameters:
    """How a frequency figure was computed; stated wherever one leaves the engine.

    Attributes
    ----------
    Three presets (:data:`SPECTRUM_METHODS`, :func:`spectral_parameters`): the default
    (``welch_segments="cover"``), neurokit2's layout (``"neurokit2"``) and Kubios' settings
    (:meth:`kubios`, ``"kubios"``); the descriptive fields say what each computes.

    interpolation_rate : float
        Resampling rate of the NN tachogram, Hz. Default 4 Hz: Kubios' default and the
        literature's usual choice (Tarvainen et al., 2014); neurokit2's default is 100 Hz.
        LF differs by about 0.2 % between the two on a real 5-minute window (DESIGN.md).
    interpolation_method : str
        ``"quadratic"``: quadratic interpolating spline, constant outside the beats (the only
        method neurokit2's ``hrv_frequency`` uses).
    psd_method : str
        ``"welch"`` (the only one implemented here).
    window : str
        Welch segment window, ``"hann"``.
    segment_rule, overlap, nfft_rule, detrend, scaling : str
        Fixed descriptions of neurokit2's choices, for provenance.
    vlf_hz, lf_hz, hf_hz : tuple of float
        Band edges, Hz, ``[low, high)``.
    normalize : bool
        Always False: powers in ms² (neurokit2 ``normalize=False``).
    welch_segments : str
        The method: ``"cover"``, ``"neurokit2"`` or ``"kubios"`` (:data:`WELCH_SEGMENT_LAYOUTS`).
    detrend_lambda, welch_segment_s, welch_overlap, points_per_hz : float or None
        Kubios' smoothness-priors lambda, Welch segment (s), overlap (share) and frequency
        grid (points per Hz); None for the other two methods, which have none of these.
    """

    interpolation_rate: float = 4.0
    interpolation_method: str = "quadratic"
    psd_method: str = "welch"
    window: str = "hann"
    segment_rule: str = "nperseg = int(N / 2) for N resampled points"
    overlap: str = "50 %"
    nfft_rule: str = "2 * nperseg"
    detrend: str = "mean removed; no trend removal"
    scaling: str = "density, one-sided, ms^2/Hz"
    band_integration: str = "trapezoid over bins with low <= f < high"
    vlf_hz: tuple[float, float] = VLF_BAND_HZ
    lf_hz: tuple[float, float] = LF_BAND_HZ
    hf_hz: tuple[float, float] = HF_BAND_HZ
    normalize: bool = False
    welch_segments: str = "cover"
    detrend_lambda: float | None = None
    welch_segment_s: float | None = None
    welch_overlap: float | None = None
    points_per_hz: float | None = None

    def __post_init__(self) -> None:
        if self.welch_segments not in WELCH_SEGMENT_LAYOUTS:
            raise HrvInputError(f"welch_segments must be one of {', '.join(WELCH_SEGMENT_LAYOUTS)}")
        if not (self.interpolation_rate >= 1.0 and math.isfinite(self.interpolation_rate)):
            raise HrvInputError("interpolation_rate must be a finite number >= 1 Hz")
        if self.psd_method != "welch" or self.normalize:
            raise HrvInputError("only Welch's PSD and normalize=False are implemented")
        kubios = (self.detrend_lambda, self.welch_segment_s, self.welch_overlap, self.points_per_hz)
        if self.welch_segments == "kubios":
            # Each Kubios setting is one fixed description; only the numbers may vary. Lambda
            # None: detrending "none" (the mean alone is removed).
            if self.interpolation_method != "cubic" or self.window != "hanning" or None in kubios[1:]:
                raise HrvInputError("the kubios method is cubic, MATLAB hanning and needs its settings: use .kubios()")
            lam = 1.0 if self.detrend_lambda is None else float(self.detrend_lambda)
            seg, ov, pts = (float(v) for v in kubios[1:] if v is not None)
            if not (lam > 0 and seg > 0 and 0 <= ov < 1 and pts >= seg and math.isfinite(lam + seg + pts)):
                # pts >= seg: nfft = pts * rate is at least a segment's length (zero-padding only).
                raise HrvInputError("kubios: need lambda > 0, segment > 0, 0 <= overlap < 1, points/Hz >= segment s")
        else:
            if self.interpolation_method != "quadratic" or self.window != "hann":
                raise HrvInputError("only quadratic interpolation and the Hann window are implemented for this layout")
            if any(v is not None for v in kubios):
                raise HrvInputError("detrend_lambda, welch_segment_s, welch_overlap and points_per_hz are kubios-only")

    @classmethod
    def kubios(
        cls,
        interpolation_rate: float = 4.0,
        detrend_lambda: float | None = KUBIOS_LAMBDA,
        welch_segment_s: float = KUBIOS_SEGMENT_S,
        welch_overlap: float = KUBIOS_OVERLAP,
        points_per_hz: float = KUBIOS_POINTS_PER_HZ,
    ) -> SpectralParameters:
        """Kubios HRV's FFT-spectrum settings (:mod:`tolerance.hrv.kubios`), defaults Kubios';
        ``detrend_lambda`` None for Kubios' detrending "none"."""
        if detrend_lambda is None:
            detrend = "none: the mean removed; time-domain figures of the intervals as they are"
        else:
            cutoff = smoothness_priors_cutoff_hz(interpolation_rate, detrend_lambda)
            detrend = (
                f"smoothness priors, lambda = {detrend_lambda:g} on the resampled series "
                f"(high-pass, -3 dB at {cutoff:.4f} Hz at {interpolation_rate:g} Hz); removes the mean; "
                "SDNN, RMSSD and pNN50 of the intervals less this trend at the beats' times"
            )
        return cls(
            interpolation_rate=interpolation_rate,
            interpolation_method="cubic",
            window="hanning",
            segment_rule=f"{welch_segment_s:g} s segments (the whole window when shorter), MATLAB hanning window",
            overlap=f"{welch_overlap:.0%}; segments from the window's start while a whole one fits",
            nfft_rule=f"{points_per_hz:g} points per Hz (nfft = {points_per_hz:g} x rate, zero-padded)",
            detrend=detrend,
            band_integration=(
                "trapezoid over [low, high], both edges included, the PSD linearly interpolated at the edges; "
                "TP = VLF + LF + HF; pNN50 over the N - 1 differences"
            ),
            vlf_hz=KUBIOS_VLF_HZ,
            welch_segments="kubios",
            detrend_lambda=detrend_lambda,
            welch_segment_s=welch_segment_s,
            welch_overlap=welch_overlap,
            points_per_hz=points_per_hz,
        )

    def as_dict(self) -> dict[str, object]:
        """Plain dict for provenance JSON (bands as ``[low, high]`` lists), with ``spectral_method``."""
        out = asdict(self)
        for key in ("vlf_hz", "lf_hz", "hf_hz"):
            out[key] = list(out[key])
        out["spectral_method"] = WELCH_SEGMENT_LAYOUTS[self.welch_segments]
        if self.welch_segments == "cover":
            out["overlap"] = "about 50 % (3 segments; starts rounded to whole samples)"
        if self.welch_segments == "kubios" and self.detrend_lambda is not None:
            out["detrend_cutoff_hz"] = smoothness_priors_cutoff_hz(self.interpolation_rate, self.detrend_lambda)
        return out

    def neurokit_kwargs(self) -> dict[str, object]:
        """Keyword arguments giving the same computation in ``nk.hrv_frequency`` (exactly only
        with ``welch_segments="neurokit2"``; the default layout differs from it by design).
        The kubios settings have no neurokit2 equivalent: HrvInputError."""
        if self.welch_segments == "kubios":
            raise HrvInputError("neurokit2's hrv_frequency cannot compute the kubios spectrum")
        return {
            "interpolation_rate": self.interpolation_rate,
            "psd_method": self.psd_method,
            "normalize": False,
            "vlf": self.vlf_hz,
            "lf": self.lf_hz,
            "hf": self.hf_hz,
        }


SPECTRUM_METHODS: Final = {
    "welch": "cover",
    "neurokit2": "neurokit2",
    "kubios": "kubios",
}
"""The CLI's ``--spectrum`` names and the method (``welch_segments``) each selects."""


def spectral_parameters(name: str, interpolation_rate: float = 4.0, **kubios: Any) -> SpectralParameters:
    """The preset named by ``--spectrum`` (:data:`SPECTRUM_METHODS`) or by its method name;
    ``kubios``: :meth:`SpectralParameters.kubios`' settings (only with the kubios method)."""
    method = SPECTRUM_METHODS.get(name, name)
    if method == "kubios":
        return SpectralParameters.kubios(interpolation_rate, **kubios)
    if kubios:
        raise HrvInputError(f"{', '.join(sorted(kubios))}: Kubios settings, only with the kubios spectrum")
    return SpectralParameters(interpolation_rate=interpolation_rate, welch_segments=method)
