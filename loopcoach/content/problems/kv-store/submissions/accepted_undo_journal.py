# verdict: accepted
# One journal of (key, previous value) entries, and a stack of journal positions marking
# where each open transaction began. Commit just forgets the innermost mark; rollback
# replays the journal backwards down to it.
from collections import defaultdict

GONE = object()


class KVStore:
    def __init__(self):
        self.values = {}
        self.holders = defaultdict(int)
        self.journal = []
        self.marks = []

    def _assign(self, key, value):
        previous = self.values.pop(key, GONE)
        if previous is not GONE:
            self.holders[previous] -= 1
        if value is not GONE:
            self.values[key] = value
            self.holders[value] += 1
        return previous

    def set(self, key, value):
        previous = self._assign(key, value)
        if self.marks:
            self.journal.append((key, previous))

    def get(self, key):
        return self.values.get(key)

    def delete(self, key):
        if key in self.values:
            previous = self._assign(key, GONE)
            if self.marks:
                self.journal.append((key, previous))

    def count(self, value):
        return self.holders.get(value, 0)

    def begin(self):
        self.marks.append(len(self.journal))

    def rollback(self):
        if not self.marks:
            raise RuntimeError("rollback with no open transaction")
        start = self.marks.pop()
        while len(self.journal) > start:
            key, previous = self.journal.pop()
            self._assign(key, previous)

    def commit(self):
        if not self.marks:
            raise RuntimeError("commit with no open transaction")
        self.marks.pop()
        if not self.marks:
            self.journal.clear()
