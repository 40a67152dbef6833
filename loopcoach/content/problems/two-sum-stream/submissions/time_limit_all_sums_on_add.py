# verdict: time_limit
# Makes find O(1) by storing every pair sum on add, so add costs O(n):
# 10,000 adds build about fifty million sums.
class TwoSum:
    def __init__(self):
        self.numbers = []
        self.sums = set()

    def add(self, number):
        for x in self.numbers:
            self.sums.add(x + number)
        self.numbers.append(number)

    def find(self, value):
        return value in self.sums
