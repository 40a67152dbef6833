_ABSENT = object()  # marks "the key held nothing" in the undo logs


class KVStore:
    def __init__(self):
        self.data = {}  # key -> value
        self.tally = {}  # value -> how many keys hold it
        self.logs = []  # per open transaction: key -> what it held before that transaction

    # -- the one place that changes data and tally together --
    def _put(self, key, value):
        old = self.data.get(key, _ABSENT)
        if old is not _ABSENT:
            left = self.tally[old] - 1
            if left:
                self.tally[old] = left
            else:
                del self.tally[old]
            del self.data[key]
        if value is not _ABSENT:
            self.data[key] = value
            self.tally[value] = self.tally.get(value, 0) + 1
        return old

    def _change(self, key, value):
        old = self._put(key, value)
        if self.logs:
            log = self.logs[-1]
            if (
                key not in log
            ):  # only the first change per transaction needs remembering
                log[key] = old

    def set(self, key, value):
        self._change(key, value)

    def get(self, key):
        return self.data.get(key)

    def delete(self, key):
        if key in self.data:
            self._change(key, _ABSENT)

    def count(self, value):
        return self.tally.get(value, 0)

    def begin(self):
        self.logs.append({})

    def rollback(self):
        if not self.logs:
            raise RuntimeError("no transaction is open")
        for key, old in self.logs.pop().items():
            self._put(key, old)

    def commit(self):
        if not self.logs:
            raise RuntimeError("no transaction is open")
        log = self.logs.pop()
        if self.logs:
            # Hand the pre-images to the enclosing transaction, which keeps its own
            # where it already had one. Merging the smaller log into the larger keeps
            # repeated commits cheap.
            parent = self.logs[-1]
            if len(log) > len(parent):
                log.update(parent)
                self.logs[-1] = log
            else:
                for key, old in log.items():
                    parent.setdefault(key, old)
