# verdict: wrong_answer
# Transactions are right, but commit and rollback with nothing open quietly do nothing
# instead of raising.
class KVStore:
    def __init__(self):
        self.data = {}
        self.counts = {}
        self.undo = []

    def _write(self, key, value):
        old = self.data.pop(key, None)
        if old is not None:
            self.counts[old] -= 1
        if value is not None:
            self.data[key] = value
            self.counts[value] = self.counts.get(value, 0) + 1
        return old

    def set(self, key, value):
        old = self._write(key, value)
        if self.undo:
            self.undo[-1].append((key, old))

    def get(self, key):
        return self.data.get(key)

    def delete(self, key):
        if key in self.data:
            old = self._write(key, None)
            if self.undo:
                self.undo[-1].append((key, old))

    def count(self, value):
        return self.counts.get(value, 0)

    def begin(self):
        self.undo.append([])

    def rollback(self):
        if self.undo:
            for key, old in reversed(self.undo.pop()):
                self._write(key, old)

    def commit(self):
        if self.undo:
            done = self.undo.pop()
            if self.undo:
                self.undo[-1].extend(done)
