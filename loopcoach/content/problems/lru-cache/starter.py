class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity

    def get(self, key: int) -> int:
        """The value for key, or -1; marks key as most recently used."""
        return -1

    def put(self, key: int, value: int) -> None:
        """Store value under key, evicting the least recently used key when full."""
