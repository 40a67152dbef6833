# verdict: accepted
# Returns the later index first: any order is fine.
def two_sum(nums, target):
    earlier = {}
    for j, value in enumerate(nums):
        if target - value in earlier:
            return (j, earlier[target - value])
        earlier[value] = j
    return None
