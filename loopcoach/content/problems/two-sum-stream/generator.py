"""Long streams of add and find calls for TwoSum."""

LIMIT = 10**6


def _query(rng, added):
    # Half the queries are sums of two recorded numbers, so they are true unless both
    # picks are the same single occurrence; the rest are random and mostly false.
    if added and rng.random() < 0.5:
        return rng.choice(added) + rng.choice(added)
    return rng.randint(-2 * LIMIT, 2 * LIMIT)


def many_adds(rng, index):
    # 10,000 adds over a wide range, with a few hundred finds spread through the second
    # half. Precomputing every pair sum on add is far too slow here.
    operations = [["TwoSum"]]
    added = []
    for step in range(10_000):
        number = rng.randint(-LIMIT, LIMIT)
        added.append(number)
        operations.append(["add", number])
        if step >= 5_000 and step % 25 == 0:
            operations.append(["find", _query(rng, added)])
    return operations


def many_finds(rng, index):
    # Few distinct numbers, many queries.
    pool = [rng.randint(-LIMIT, LIMIT) for _ in range(150)]
    operations = [["TwoSum"]]
    added = []
    for _ in range(1_000):
        number = rng.choice(pool)
        added.append(number)
        operations.append(["add", number])
    for _ in range(10_000):
        if rng.random() < 0.3:
            value = 2 * rng.choice(pool)  # true only if that number was added twice
        else:
            value = _query(rng, added)
        operations.append(["find", value])
    return operations


def mixed(rng, index):
    operations = [["TwoSum"]]
    added = []
    for _ in range(6_000):
        if rng.random() < 0.6:
            number = rng.randint(-5_000, 5_000)
            added.append(number)
            operations.append(["add", number])
        else:
            operations.append(
                [
                    "find",
                    _query(rng, added)
                    if rng.random() < 0.7
                    else rng.randint(-10_000, 10_000),
                ]
            )
    return operations
