# verdict: wrong_answer
# Evicts in order of insertion: a get does not mark the key as recently used.
class LRUCache:
    def __init__(self, capacity):
        self.capacity = capacity
        self.data = {}

    def get(self, key):
        return self.data.get(key, -1)

    def put(self, key, value):
        if key in self.data:
            del self.data[key]
        elif len(self.data) >= self.capacity:
            del self.data[next(iter(self.data))]
        self.data[key] = value
