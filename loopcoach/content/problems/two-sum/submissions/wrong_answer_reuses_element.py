# verdict: wrong_answer
# Builds the whole map first and forgets that a value cannot pair with itself:
# on [3, 2, 4] with target 6 it answers [0, 0].
def two_sum(nums, target):
    where = {value: i for i, value in enumerate(nums)}
    for i, value in enumerate(nums):
        if target - value in where:
            return [i, where[target - value]]
    return []
