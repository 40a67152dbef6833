"""Large sorted inputs with exactly one valid pair.

Fillers are 1 modulo 3 and the two answer values 0 modulo 3, with a target that is
0 modulo 3, so no pair other than the planted one sums to the target.
"""

N = 100_000
LIMIT = 10**9


def _fillers(rng, count, low, high):
    # values in [low, high] that are 1 modulo 3
    first = (low - 1 + 2) // 3  # smallest k with 3k + 1 >= low
    last = (high - 1) // 3
    return [3 * rng.randint(first, last) + 1 for _ in range(count)]


def pair_at_top(rng, index):
    # The two answer values are the largest numbers: a scan that tries every left
    # position against every right one reaches them last.
    numbers = _fillers(rng, N - 2, -LIMIT, LIMIT // 2)
    a = 3 * rng.randint(LIMIT // 6 + 1, LIMIT // 4)
    b = 3 * rng.randint(LIMIT // 4 + 1, LIMIT // 3)
    numbers += [a, b]
    numbers.sort()
    return [numbers, a + b]


def pair_inside(rng, index):
    # The answer values sit in the middle of the range, with many repeats of the
    # fillers around them.
    pool = _fillers(rng, 5_000, -LIMIT, LIMIT)
    numbers = [rng.choice(pool) for _ in range(N - 2)]
    a = 3 * rng.randint(-LIMIT // 30, LIMIT // 30)
    b = 3 * rng.randint(-LIMIT // 30, LIMIT // 30)
    numbers += [a, b]
    numbers.sort()
    return [numbers, a + b]
