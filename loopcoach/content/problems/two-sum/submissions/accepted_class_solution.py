# verdict: accepted
from typing import List


class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        index_of = {}
        for j, value in enumerate(nums):
            i = index_of.get(target - value)
            if i is not None:
                return [i, j]
            index_of[value] = j
        return []
