# verdict: accepted
# O(n log n) time, O(1) space: binary-search each value's partner to its right.
from bisect import bisect_left
from typing import List


class Solution:
    def twoSum(self, numbers: List[int], target: int) -> List[int]:
        n = len(numbers)
        for i in range(n - 1):
            want = target - numbers[i]
            k = bisect_left(numbers, want, i + 1, n)
            if k < n and numbers[k] == want:
                return [i + 1, k + 1]
        return []
