"""Long lists with random pointers in the `[val, random_index]` form."""

N = 10_000


def large_list(rng, index):
    pairs = []
    for _ in range(N):
        value = rng.randint(-10_000, 10_000)
        roll = rng.random()
        if roll < 0.15:
            target = None
        elif roll < 0.2:
            target = len(pairs)  # points at itself
        else:
            target = rng.randrange(N)
        pairs.append([value, target])
    return [pairs]


def few_values(rng, index):
    # Only three distinct values: a copy that looks nodes up by value goes wrong.
    return [
        [
            [rng.choice((-1, 0, 1)), rng.choice((None, rng.randrange(N)))]
            for _ in range(N)
        ]
    ]
