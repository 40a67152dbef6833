class TwoSum:
    def __init__(self):
        # number -> how many times it has been recorded
        self.counts = {}

    def add(self, number):
        self.counts[number] = self.counts.get(number, 0) + 1

    def find(self, value):
        counts = self.counts
        for number in counts:
            partner = value - number
            if partner in counts and (partner != number or counts[number] > 1):
                return True
        return False
