# verdict: accepted
from collections import Counter


class TwoSum:
    def __init__(self):
        self.seen = Counter()

    def add(self, number):
        self.seen[number] += 1

    def find(self, value):
        for x, times in self.seen.items():
            y = value - x
            if y == x:
                if times >= 2:
                    return True
            elif y in self.seen:
                return True
        return False
