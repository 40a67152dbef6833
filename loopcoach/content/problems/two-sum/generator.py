"""Large inputs whose only valid pair sits at the end, so comparing all pairs is too slow.

Filler values are all 1 modulo 3 and both answer values are 0 modulo 3, with a target that
is 0 modulo 3: two fillers sum to 2 (mod 3) and a filler plus an answer value to 1 (mod 3),
so no pair other than the planted one can reach the target.
"""

N = 100_000
LIMIT = 10**9


def _filler(rng):
    # a value in [-LIMIT, LIMIT] that is 1 modulo 3
    return 3 * rng.randint(-(LIMIT // 3), (LIMIT - 1) // 3) + 1


def pair_near_end(rng, index):
    nums = [_filler(rng) for _ in range(N)]
    a = 3 * rng.randint(-(LIMIT // 3), LIMIT // 3)
    b = 3 * rng.randint(-(LIMIT // 3), LIMIT // 3)
    # Both answer positions lie in the last few slots; the order varies per case.
    last = N - 1
    spots = [(last - 1, last), (last, last - 2), (last - 5, last - 1), (last - 3, last)]
    i, j = spots[(index - 1) % len(spots)]
    nums[i], nums[j] = a, b
    return [nums, a + b]
