"""Make generated amounts add up to a published figure exactly, in whole yuan."""

from __future__ import annotations

import random


def spread(total: int, n: int, step: int, rng: random.Random) -> list[int]:
    """`n` amounts, multiples of `step`, as equal as possible, summing to `total` (shuffled)."""
    if n == 0:
        if total:
            raise ValueError(f"cannot spread {total} over nobody")
        return []
    if total % step:
        raise ValueError(f"{total} is not a multiple of {step}")
    units, rest = divmod(total // step, n)
    out = [(units + (1 if i < rest else 0)) * step for i in range(n)]
    rng.shuffle(out)
    return out


def split(total: int, n: int, lo: int, hi: int, step: int, rng: random.Random) -> list[int]:
    """`n` random amounts in [lo, hi], multiples of `step`, summing exactly to `total`."""
    if total % step or lo % step or hi % step:
        raise ValueError("total and bounds must be multiples of step")
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot split {total} into {n} amounts within [{lo}, {hi}]")
    out = [lo] * n
    left = (total - n * lo) // step
    room = [(hi - lo) // step] * n
    while left:
        i = rng.randrange(n)
        if room[i]:
            k = min(room[i], left, rng.randint(1, max(1, (hi - lo) // step // 3)))
            out[i] += k * step
            room[i] -= k
            left -= k
    return out


def fit_toggles(
    values: list[int],
    on: list[bool],
    delta: int,
    rng: random.Random,
    order: list[int] | None = None,
) -> None:
    """Switch entries of `on` so that the sum of the switched-on `values` changes by exactly `delta`.

    Greedy in a random (or the given) order: while short, switch on entries that fit; while over,
    switch off entries that fit; finish with one swap (an entry off, another on) when the rest is
    smaller than every value. Raises when no such switching exists.
    """
    idx = order if order is not None else rng.sample(range(len(values)), len(values))
    for _ in range(3):
        if delta == 0:
            return
        for i in idx:
            v = values[i]
            if delta > 0 and not on[i] and v <= delta:
                on[i] = True
                delta -= v
            elif delta < 0 and on[i] and v <= -delta:
                on[i] = False
                delta += v
            if delta == 0:
                return
    # One swap: switch off an entry worth a and on one worth b with b - a = delta.
    off_by_value: dict[int, int] = {}
    for i in idx:
        if not on[i]:
            off_by_value.setdefault(values[i], i)
    for i in idx:
        if on[i]:
            j = off_by_value.get(values[i] + delta)
            if j is not None:
                on[i] = False
                on[j] = True
                return
    raise ValueError(f"cannot reach the target: {delta} left over")
