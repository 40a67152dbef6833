from collections import OrderedDict


class LRUCache:
    # An OrderedDict keeps keys from least to most recently used; moving a key to the
    # end and dropping the first key are both constant time.

    def __init__(self, capacity):
        self.capacity = capacity
        self.entries = OrderedDict()

    def get(self, key):
        entries = self.entries
        if key not in entries:
            return -1
        entries.move_to_end(key)
        return entries[key]

    def put(self, key, value):
        entries = self.entries
        if key in entries:
            entries.move_to_end(key)
        elif len(entries) >= self.capacity:
            entries.popitem(last=False)
        entries[key] = value
