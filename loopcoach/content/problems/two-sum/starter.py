def two_sum(nums: list[int], target: int) -> list[int]:
    """Return two different indices i, j with nums[i] + nums[j] == target."""
    # Your code here.
    return []
