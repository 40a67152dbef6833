# verdict: accepted
# O(n^2) with a set of values seen to the right of each fixed first element.
from typing import List


class Solution:
    def threeSum(self, nums: List[int]) -> List[List[int]]:
        nums = sorted(nums)
        result = set()
        for i in range(len(nums) - 2):
            if nums[i] > 0:
                break
            if i and nums[i] == nums[i - 1]:
                continue
            seen = set()
            for x in nums[i + 1 :]:
                if -nums[i] - x in seen:
                    result.add((nums[i], -nums[i] - x, x))
                seen.add(x)
        return [list(t) for t in result]
