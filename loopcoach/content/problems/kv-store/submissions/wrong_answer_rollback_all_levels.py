# verdict: wrong_answer
# Rollback throws away every open transaction, back to the state before the first begin,
# instead of undoing only the innermost one.
class KVStore:
    def __init__(self):
        self.data = {}
        self.saved = None
        self.depth = 0

    def set(self, key, value):
        self.data[key] = value

    def get(self, key):
        return self.data.get(key)

    def delete(self, key):
        self.data.pop(key, None)

    def count(self, value):
        return sum(1 for v in self.data.values() if v == value)

    def begin(self):
        if self.depth == 0:
            self.saved = dict(self.data)
        self.depth += 1

    def rollback(self):
        if self.depth == 0:
            raise RuntimeError("no transaction")
        self.data = self.saved
        self.depth = 0

    def commit(self):
        if self.depth == 0:
            raise RuntimeError("no transaction")
        self.depth -= 1
