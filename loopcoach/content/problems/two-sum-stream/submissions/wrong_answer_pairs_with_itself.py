# verdict: wrong_answer
# Forgets that a number recorded once cannot be used twice: find(2) after add(1) says True.
class TwoSum:
    def __init__(self):
        self.numbers = set()

    def add(self, number):
        self.numbers.add(number)

    def find(self, value):
        return any(value - x in self.numbers for x in self.numbers)
