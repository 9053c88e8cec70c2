"""Additive LMDI-I decomposition of a change in social-assistance payouts.

Payouts are written as a product of factors and the change between two periods is split into one
contribution per factor, with no residual (the log-mean Divisia index, method I, additive form):

    V = R × p × P
        R  recipients (volume)
        p  real payment per recipient, p = V / (R × P)
        P  price level, the CPI ratio P_t = CPI_t / CPI_base (the base cancels, see below)

    ΔV = V1 − V0 = Σ_i L(V1, V0) · ln(x_i1 / x_i0)

with the logarithmic mean L(a, b) = (a − b) / (ln a − ln b) for a ≠ b and L(a, a) = a.
Because Σ_i ln(x_i1 / x_i0) = ln(V1 / V0) and L(V1, V0) · ln(V1 / V0) = V1 − V0, the contributions
add up to the total change exactly (up to floating-point rounding, reported as ``residual``).
The CPI base cancels: ln(P1 / P0) = ln(CPI1 / CPI0) whatever the base year.

The per-inhabitant variant splits volume into population and recipient rate:

    V = N × r × p × P,   r = R / N   (N inhabitants, e.g. aged 20–66)

References: B. W. Ang (2004), "Decomposition analysis for policymaking in energy: which is the
preferred method?", Energy Policy 32(9), 1131–1139; B. W. Ang (2005), "The LMDI approach to
decomposition analysis: a practical guide", Energy Policy 33(7), 867–871 (formulas for the additive
LMDI-I and the treatment of zero values, which this module refuses instead of approximating).

All functions are pure: numbers in, numbers (or a frame) out.

Pure numerical functions; imports nothing from the package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

PAYOUT_FACTORS: tuple[str, ...] = ("volume", "real_payment", "inflation")
PER_INHABITANT_FACTORS: tuple[str, ...] = ("population", "recipient_rate", "real_payment", "inflation")

# Below this relative difference the logarithmic mean is evaluated by its Taylor series.
_SERIES_THRESHOLD = 1e-6


def _check_positive(name: str, value: float) -> float:
    """Return ``value`` as float; raise ``ValueError`` unless it is finite and strictly positive."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number!r}")
    if number <= 0.0:
        raise ValueError(
            f"{name} must be strictly positive for an LMDI decomposition (logarithms), got {number!r}; "
            "Ang (2005) replaces zeros by a small number, which this module deliberately does not do"
        )
    return number


def log_mean(a: float, b: float) -> float:
    """Logarithmic mean L(a, b) = (a − b) / (ln a − ln b), with L(a, a) = a.

    Symmetric by construction (the arguments are ordered first, so ``log_mean(a, b) ==
    log_mean(b, a)`` holds bit for bit). For a/b close to 1 the quotient loses precision, so the
    form L = b · x / log1p(x), x = (a − b)/b with a ≥ b, is used, and its series
    b · (1 + x/2 − x²/12 + x³/24 − …) when x < 1e-6 (expanding ln(1 + x)).

    Raises ``ValueError`` unless both arguments are finite and strictly positive.

    >>> log_mean(2.0, 2.0)
    2.0
    >>> round(log_mean(1.0, math.e), 6)   # (e − 1) / (1 − 0)
    1.718282
    """
    a = _check_positive("a", a)
    b = _check_positive("b", b)
    hi, lo = (a, b) if a >= b else (b, a)
    if hi == lo:
        return hi
    x = (hi - lo) / lo
    if x < _SERIES_THRESHOLD:
        return lo * (1.0 + x / 2.0 - x * x / 12.0 + x**3 / 24.0)
    return (hi - lo) / math.log1p(x)


def log_ratio(new: float, old: float) -> float:
    """ln(new / old) = log1p((new − old) / old), so that ``log_ratio(a, b) == -log_ratio(b, a)`` exactly.

    Computed from the larger argument's side with ``log1p`` (accurate when new ≈ old).

    Both arguments must be finite and strictly positive (``ValueError`` otherwise).
    """
    new = _check_positive("new", new)
    old = _check_positive("old", old)
    if new >= old:
        return math.log1p((new - old) / old)
    return -math.log1p((old - new) / new)


def _named_log_ratio(name: str, new: float, old: float) -> float:
    return log_ratio(_check_positive(f"{name}_to", new), _check_positive(f"{name}_from", old))


@dataclass(frozen=True)
class LMDIResult:
    """An additive LMDI-I decomposition of ``value_to − value_from``.

    ``contributions`` maps factor name → contribution in the unit of the value; their sum equals
    ``total_change`` up to ``residual`` (floating-point rounding only, of order 1e-12 relative).
    ``log_changes`` maps factor name → ln(x_i1 / x_i0); ``weight`` is L(V1, V0).
    """

    value_from: float
    value_to: float
    contributions: dict[str, float]
    log_changes: dict[str, float]
    weight: float

    @property
    def total_change(self) -> float:
        """V1 − V0."""
        return self.value_to - self.value_from

    @property
    def log_changes_total(self) -> float:
        """Σ_i ln(x_i1 / x_i0) = ln(V1 / V0)."""
        return math.fsum(self.log_changes.values())

    @property
    def residual(self) -> float:
        """Total change minus the sum of contributions (zero in exact arithmetic)."""
        return self.total_change - math.fsum(self.contributions.values())

    def shares(self) -> dict[str, float]:
        """Each contribution as a share of the total change (undefined, so NaN, when it is zero)."""
        total = self.total_change
        if total == 0.0:
            return {k: math.nan for k in self.contributions}
        return {k: v / total for k, v in self.contributions.items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per factor: factor, log_change, contribution, share."""
        shares = self.shares()
        return pd.DataFrame(
            {
                "factor": list(self.contributions),
                "log_change": [self.log_changes[k] for k in self.contributions],
                "contribution": list(self.contributions.values()),
                "share": [shares[k] for k in self.contributions],
            }
        )


def _decompose_from_logs(value_from: float, value_to: float, log_changes: dict[str, float]) -> LMDIResult:
    weight = log_mean(value_to, value_from)
    contributions = {name: weight * lc for name, lc in log_changes.items()}
    return LMDIResult(
        value_from=value_from,
        value_to=value_to,
        contributions=contributions,
        log_changes=dict(log_changes),
        weight=weight,
    )


def lmdi(factors_from: Mapping[str, float], factors_to: Mapping[str, float]) -> LMDIResult:
    """General additive LMDI-I for V = Π_i x_i.

    ΔV_i = L(V1, V0) · ln(x_i1 / x_i0), V_t = Π_i x_it (Ang 2005, Table 1, additive LMDI-I).
    Both mappings must have the same factor names; every value must be strictly positive.
    """
    if set(factors_from) != set(factors_to):
        raise ValueError(f"factor names differ: {sorted(factors_from)} vs {sorted(factors_to)}")
    if not factors_from:
        raise ValueError("at least one factor is needed")
    v0 = 1.0
    v1 = 1.0
    logs: dict[str, float] = {}
    for name in factors_from:
        x0 = _check_positive(f"{name} (from)", factors_from[name])
        x1 = _check_positive(f"{name} (to)", factors_to[name])
        v0 *= x0
        v1 *= x1
        logs[name] = log_ratio(x1, x0)
    return _decompose_from_logs(v0, v1, logs)


def decompose_payout_change(
    payout_from: float,
    payout_to: float,
    recipients_from: float,
    recipients_to: float,
    cpi_from: float,
    cpi_to: float,
) -> LMDIResult:
    """Split V1 − V0 (nominal payouts) into volume, real-payment and inflation contributions.

    V = R × p × P with P = CPI / CPI_base and p = V / (R × P) (real payment per recipient), so

        volume       = L(V1, V0) · ln(R1 / R0)
        inflation    = L(V1, V0) · ln(CPI1 / CPI0)
        real_payment = L(V1, V0) · [ln(V1 / V0) − ln(R1 / R0) − ln(CPI1 / CPI0)]

    which add up to V1 − V0 (Ang 2005, additive LMDI-I). Payouts in any unit (the contributions are
    in the same unit); recipients and CPI must be for the same periods as the payouts.
    Raises ``ValueError`` for zero, negative or non-finite inputs.
    """
    v0 = _check_positive("payout_from", payout_from)
    v1 = _check_positive("payout_to", payout_to)
    lv = _named_log_ratio("payout", v1, v0)
    lr = _named_log_ratio("recipients", recipients_to, recipients_from)
    lp = _named_log_ratio("cpi", cpi_to, cpi_from)
    return _decompose_from_logs(v0, v1, {"volume": lr, "real_payment": lv - lr - lp, "inflation": lp})


def decompose_payout_change_per_inhabitant(
    payout_from: float,
    payout_to: float,
    recipients_from: float,
    recipients_to: float,
    population_from: float,
    population_to: float,
    cpi_from: float,
    cpi_to: float,
) -> LMDIResult:
    """Split V1 − V0 into population, recipient-rate, real-payment and inflation contributions.

    V = N × r × p × P with r = R / N, P = CPI / CPI_base, p = V / (R × P):

        population     = L(V1, V0) · ln(N1 / N0)
        recipient_rate = L(V1, V0) · [ln(R1 / R0) − ln(N1 / N0)]
        real_payment   = L(V1, V0) · [ln(V1 / V0) − ln(R1 / R0) − ln(CPI1 / CPI0)]
        inflation      = L(V1, V0) · ln(CPI1 / CPI0)

    population + recipient_rate equals the ``volume`` contribution of
    :func:`decompose_payout_change` (Ang 2005, additive LMDI-I).
    """
    v0 = _check_positive("payout_from", payout_from)
    v1 = _check_positive("payout_to", payout_to)
    lv = _named_log_ratio("payout", v1, v0)
    lr = _named_log_ratio("recipients", recipients_to, recipients_from)
    ln_ = _named_log_ratio("population", population_to, population_from)
    lp = _named_log_ratio("cpi", cpi_to, cpi_from)
    return _decompose_from_logs(
        v0,
        v1,
        {"population": ln_, "recipient_rate": lr - ln_, "real_payment": lv - lr - lp, "inflation": lp},
    )


def decompose_payout_chain(
    frame: pd.DataFrame,
    *,
    period: str = "period",
    payout: str = "payout",
    recipients: str = "recipients",
    cpi: str = "cpi",
    population: str | None = None,
) -> pd.DataFrame:
    """Chained LMDI-I: decompose each step t−1 → t of a series and return a tidy frame.

    ``frame`` has one row per period (sorted here by ``period``; duplicates are refused) and the
    named columns. Each consecutive pair is decomposed with :func:`decompose_payout_change` (or the
    per-inhabitant variant when ``population`` names a column). Summing a factor over the steps gives
    a chained decomposition of V_T − V_0 (the step totals telescope, so the sum over all rows equals
    V_T − V_0); it differs in general from the single two-point decomposition V_0 → V_T
    (Ang 2004, on chaining vs non-chaining).

    Returns columns ``period_from, period_to, factor, contribution, log_change, value_from,
    value_to, total_change`` with one row per step and factor.
    """
    needed = [period, payout, recipients, cpi] + ([population] if population else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns: {missing}")
    data = frame[needed].sort_values(period, kind="stable").reset_index(drop=True)
    if data[period].duplicated().any():
        dupes = sorted(data.loc[data[period].duplicated(), period].astype(str).unique())
        raise ValueError(f"duplicate periods: {dupes}")
    if len(data) < 2:
        raise ValueError("a chained decomposition needs at least two periods")
    rows: list[dict[str, object]] = []
    for i in range(1, len(data)):
        a = data.iloc[i - 1]
        b = data.iloc[i]
        if population:
            result = decompose_payout_change_per_inhabitant(
                a[payout],
                b[payout],
                a[recipients],
                b[recipients],
                a[population],
                b[population],
                a[cpi],
                b[cpi],
            )
        else:
            result = decompose_payout_change(
                a[payout], b[payout], a[recipients], b[recipients], a[cpi], b[cpi]
            )
        for name, contribution in result.contributions.items():
            rows.append(
                {
                    "period_from": a[period],
                    "period_to": b[period],
                    "factor": name,
                    "contribution": contribution,
                    "log_change": result.log_changes[name],
                    "value_from": result.value_from,
                    "value_to": result.value_to,
                    "total_change": result.total_change,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- bounds from rounded inputs

PayoutInputs = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class LMDIBounds:
    """An LMDI-I decomposition at the printed inputs, with the range the inputs' rounding allows.

    ``central`` is the decomposition at the printed values; ``total`` the (low, high) of V1 − V0;
    ``shares`` factor → (low, high) of contribution / (V1 − V0); ``contributions`` factor →
    (low, high) in the unit of the payouts; ``corners`` how many corners of the box were evaluated.
    """

    central: LMDIResult
    total: tuple[float, float]
    shares: dict[str, tuple[float, float]]
    contributions: dict[str, tuple[float, float]]
    corners: int


def decompose_payout_change_bounds(
    build: Callable[[Mapping[str, float]], PayoutInputs],
    central: Mapping[str, float],
    intervals: Mapping[str, tuple[float, float]],
) -> LMDIBounds:
    """:func:`decompose_payout_change` with worked bounds from the rounding of its printed inputs.

    ``build(values)`` maps the printed inputs (a name → number mapping, e.g. the 2023 levels and
    the printed 2023→2024 rates) to ``(payout_from, payout_to, recipients_from, recipients_to,
    cpi_from, cpi_to)``; ``central`` holds the printed values, ``intervals`` each input's
    (low, high) from its rounding (:func:`analysis.observations.intervals.rounding_interval`).

    Premise: every one of the six quantities is a product of input levels and factors
    ``(1 + rate/100)`` (printed levels, derived levels, chained CPI changes), so that with the
    coordinates φ = ln(level) or ln(1 + rate/100), each log change — a = ln(R1/R0),
    c = ln(P1/P0) and s = ln(V1/V0), b = s − a − c — is affine in φ.

    Why the corners of the box give the bounds:

    - **shares**: share_i = x_i / s (the weight L(V1, V0) cancels). A ratio of affine functions
      has ∂/∂φ_j (x/s) = (α_j s − σ_j x) / s², where α_j, σ_j are the (constant) coefficients of
      φ_j in x and s; the numerator does not depend on φ_j (its own derivative is
      α_j σ_j − σ_j α_j = 0). So, the other inputs held fixed, the share is monotone in φ_j, hence
      in input j (φ is monotone in it). A function monotone in each input given the others takes
      its maximum and minimum at corners (move a maximiser coordinate by coordinate to the better
      end of each interval). This needs s ≠ 0 on the box; s is affine, so its extremes are at
      corners too, and a sign change there is refused.
    - **total** V1 − V0: ∂(V1 − V0)/∂φ_j = α1_j V1 − α0_j V0 with α ∈ {0, 1} for the products
      above: positive if input j enters V1 only, negative if V0 only, and V1 − V0 if it enters
      both (a shared level), of fixed sign unless the total change crosses zero (refused).
    - **contributions** = total × share: enclosed by the interval product of the two ranges, the
      four products of their ends (interval arithmetic; guaranteed, if slightly wide).

    :func:`analysis.observations.intervals.corner_bounds` also checks the premise where it can: along
    each edge of the box a quantity must move one way only. Raises ``ValueError`` (``DerivedError``) when a
    corner check fails or an input is not positive.
    """
    from analysis.observations.intervals import DerivedError, corner_bounds

    def result(values: Mapping[str, float]) -> LMDIResult:
        return decompose_payout_change(*build(values))

    mid = result(central)
    box = {n: intervals[n] for n in intervals if intervals[n][1] > intervals[n][0]}
    s_low, s_high = corner_bounds(lambda v: result(v).log_changes_total, central, box)
    if s_low <= 0.0 <= s_high:
        raise DerivedError(
            "the total change can be zero within the rounding of the inputs: shares are undefined"
        )
    total = corner_bounds(lambda v: result(v).total_change, central, box)
    shares = {k: corner_bounds(lambda v, k=k: result(v).shares()[k], central, box) for k in mid.contributions}
    contributions = {}
    for k, (lo, hi) in shares.items():
        ends = [t * sh for t in total for sh in (lo, hi)]
        contributions[k] = (min(ends), max(ends))
    return LMDIBounds(mid, total, shares, contributions, corners=2 ** len(box))
