"""Long get/put sequences for LRUCache."""


def _sequence(rng, length, capacity, key_space, get_share, hot=None):
    operations = [["LRUCache", capacity]]
    for _ in range(length - 1):
        if hot is not None and rng.random() < 0.3:
            key = rng.randrange(
                hot
            )  # a small set of keys that are used again and again
        else:
            key = rng.randrange(key_space)
        if rng.random() < get_share:
            operations.append(["get", key])
        else:
            operations.append(["put", key, rng.randrange(10**9)])
    return operations


def large_capacity(rng, index):
    # 200,000 calls on a cache of 100,000 keys over a somewhat larger key space, with a
    # set of hot keys: it fills, then evicts steadily. Scanning the keys per call is too
    # slow here.
    return _sequence(rng, 200_000, 100_000, 140_000, 0.5, hot=5_000)


def small_capacity(rng, index):
    # Constant churn: a small cache over many keys, mostly misses and evictions.
    return _sequence(rng, 30_000, 64, 1_000, 0.6, hot=80)
