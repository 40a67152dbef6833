# verdict: time_limit
# Correct, but compares every pair: quadratic time on 100,000 numbers.
def two_sum(nums, target):
    n = len(nums)
    for i in range(n):
        for j in range(i + 1, n):
            if nums[i] + nums[j] == target:
                return [i, j]
    return []
