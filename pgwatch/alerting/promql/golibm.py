"""Go's ``math.Exp`` and ``math.Log`` as Go 1.19 computes them on amd64 (assembly, not
libm): ``^`` with a fractional exponent goes through them, and Prometheus' results differ
from C's in the last bit for some inputs. Each step below is one instruction of Go's
``exp_amd64.s`` / ``log_amd64.s``; the fused multiply-adds Go uses on CPUs with FMA and
AVX2 are computed exactly with fractions, then rounded once, as the instruction does.
On other machines Python's libm results are used (Prometheus' own vary there too).
"""

from __future__ import annotations

import functools
import math
import platform
import struct
from fractions import Fraction
from pathlib import Path

_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_OVERFLOW = 7.09782712893384e02
_TAYLOR = (2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
           8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1,
           0.5, 1.0)
_INT32_MIN = -(2**31)

_HSQRT2 = 7.07106781186547524401e-01
_LN2HI = 6.93147180369123816490e-01
_LN2LO = 1.90821492927058770002e-10
_L = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
      2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
      1.479819860511658591e-01)


@functools.cache
def _amd64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


@functools.cache
def _use_fma() -> bool:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines()
                  if line.startswith("flags")), [])
    return "fma" in flags and "avx2" in flags


def _from_bits(bits: int) -> float:
    value: float = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return value


def _fma(a: float, b: float, c: float) -> float:
    """a * b + c rounded once (the FMA instruction)."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def _cvtsd2sl(x: float) -> int:
    """CVTSD2SL: round half to even; out of range gives the "integer indefinite" value."""
    if not math.isfinite(x) or not (_INT32_MIN <= round(x) < 2**31):
        return _INT32_MIN
    return round(x)


def _scale(x: float, k: int) -> float:
    biased = k + 0x3FF
    if biased <= 0:
        return 0.0
    if biased >= 0x7FF:
        return math.inf
    return x * _from_bits(biased << 52)


def go_exp(x: float) -> float:
    """Go's math.Exp on amd64."""
    if not _amd64():
        return math.exp(x) if x < _OVERFLOW else math.inf
    if math.isnan(x) or x == math.inf:
        return x
    if x == -math.inf:
        return 0.0
    if x > _OVERFLOW:
        return math.inf
    k = _cvtsd2sl(x * _LOG2E)
    fk = float(k)
    return _scale(_exp_fma(x, fk) if _use_fma() else _exp_plain(x, fk), k)


def _exp_plain(x: float, fk: float) -> float:
    x = x - fk * _LN2U
    x = x - fk * _LN2L
    x *= 0.0625
    acc = _TAYLOR[0]
    for c in _TAYLOR[1:]:
        acc = acc * x + c
    x = x * acc
    for _ in range(4):
        x = x * (x + 2.0)
    return x + 1.0


def _exp_fma(x: float, fk: float) -> float:
    x = _fma(-fk, _LN2U, x)
    x = _fma(-fk, _LN2L, x)
    x *= 0.0625
    acc = _TAYLOR[0]
    for c in _TAYLOR[1:]:
        acc = _fma(acc, x, c)
    x = x * acc
    for _ in range(3):
        x = x * (x + 2.0)
    return _fma(x, x + 2.0, 1.0)


def go_log(x: float) -> float:
    """Go's math.Log on amd64."""
    bits: int = struct.unpack("<Q", struct.pack("<d", x))[0]
    if not _amd64():
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    if bits & ~(1 << 63) == 0:
        return -math.inf
    if bits >> 63:
        return math.nan
    if bits >= 0x7FF0000000000000:
        return x
    f1 = _from_bits((bits & 0x000FFFFFFFFFFFFF) | 0x3FE0000000000000)
    k = float(((bits >> 52) & 0x7FF) - 0x3FE)
    if f1 <= _HSQRT2:  # CMPSD "not less than": the assembly takes the equal case too
        k -= 1.0
        f1 *= 2.0
    f = f1 - 1.0
    s = f / (2.0 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (((_L[6] * s4 + _L[4]) * s4 + _L[2]) * s4 + _L[0])
    t2 = s4 * ((_L[5] * s4 + _L[3]) * s4 + _L[1])
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2HI - ((hfsq - (s * (r + hfsq) + k * _LN2LO)) - f)
