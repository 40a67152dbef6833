# verdict: time_limit
# Transactions done with undo logs, but count looks at every key: O(number of keys)
# per call, too slow with tens of thousands of keys and many counts.
class KVStore:
    def __init__(self):
        self.data = {}
        self.undo = []

    def _log(self, key):
        if self.undo:
            self.undo[-1].append((key, self.data.get(key)))

    def set(self, key, value):
        self._log(key)
        self.data[key] = value

    def get(self, key):
        return self.data.get(key)

    def delete(self, key):
        if key in self.data:
            self._log(key)
            del self.data[key]

    def count(self, value):
        return sum(1 for v in self.data.values() if v == value)

    def begin(self):
        self.undo.append([])

    def rollback(self):
        if not self.undo:
            raise RuntimeError("no transaction")
        for key, old in reversed(self.undo.pop()):
            if old is None:
                self.data.pop(key, None)
            else:
                self.data[key] = old

    def commit(self):
        if not self.undo:
            raise RuntimeError("no transaction")
        done = self.undo.pop()
        if self.undo:
            self.undo[-1].extend(done)
