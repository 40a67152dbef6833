"""Large inputs for three-sum: n = 3000, wide and narrow value ranges."""

N = 3000
LIMIT = 10**5


def wide(rng, index):
    # Mostly distinct values: tens of thousands of triplets, too many triples to try.
    return [[rng.randint(-LIMIT, LIMIT) for _ in range(N)]]


def dense(rng, index):
    # A narrow range: heavy repetition, so duplicates must be skipped.
    return [[rng.randint(-60, 60) for _ in range(N)]]


def lopsided(rng, index):
    # Many small negatives and a few large positives.
    nums = [rng.randint(-LIMIT // 2, -1) for _ in range(N - 300)]
    nums += [rng.randint(1, LIMIT) for _ in range(300)]
    rng.shuffle(nums)
    return [nums]
