"""Long operation sequences for KVStore."""


def _key(rng, space):
    return "k%d" % rng.randrange(space)


def flat(rng, index):
    # Tens of thousands of keys and many count queries, with short transactions now and
    # then: counting by scanning every key, or copying the store on begin, is too slow.
    operations = [["KVStore"]]
    for number in range(40_000):
        operations.append(["set", "k%d" % number, rng.randrange(100)])
    while len(operations) < 70_000:
        roll = rng.random()
        if roll < 0.45:
            operations.append(["count", rng.randrange(105)])
        elif roll < 0.6:
            operations.append(["get", _key(rng, 45_000)])
        elif roll < 0.8:
            operations.append(["set", _key(rng, 45_000), rng.randrange(100)])
        elif roll < 0.9:
            operations.append(["delete", _key(rng, 45_000)])
        elif roll < 0.95:
            operations.append(["begin"])
        elif roll < 0.975:
            operations.append(["commit"])
        else:
            operations.append(["rollback"])
    return operations


def nested(rng, index):
    # A random walk through nesting levels, with commits and rollbacks that sometimes
    # find no open transaction and must fail.
    operations = [["KVStore"]]
    depth = 0
    key_space = 2_000 if index == 1 else 200
    while len(operations) < 50_000:
        roll = rng.random()
        if roll < 0.08 and depth < 40:
            operations.append(["begin"])
            depth += 1
        elif roll < 0.13:
            operations.append(["commit"])
            depth = max(depth - 1, 0)
        elif roll < 0.18:
            operations.append(["rollback"])
            depth = max(depth - 1, 0)
        elif roll < 0.55:
            operations.append(["set", _key(rng, key_space), rng.randrange(-20, 21)])
        elif roll < 0.65:
            operations.append(["delete", _key(rng, key_space)])
        elif roll < 0.83:
            operations.append(["get", _key(rng, key_space)])
        else:
            operations.append(["count", rng.randrange(-22, 23)])
    return operations


def deep(rng, index):
    # Open up to a thousand transactions, write at every level, then unwind with a mix of
    # commits and rollbacks, one past the bottom. Repeat.
    operations = [["KVStore"]]
    while len(operations) < 54_000:
        levels = rng.randint(200, 1_000)
        for _ in range(levels):
            operations.append(["begin"])
            for _ in range(rng.randint(1, 3)):
                operations.append(["set", _key(rng, 500), rng.randrange(10)])
            if rng.random() < 0.3:
                operations.append(["delete", _key(rng, 500)])
        for _ in range(levels + 1):
            operations.append(["commit" if rng.random() < 0.6 else "rollback"])
            if rng.random() < 0.3:
                operations.append(["count", rng.randrange(10)])
            if rng.random() < 0.3:
                operations.append(["get", _key(rng, 500)])
    return operations
