def three_sum(nums: list[int]) -> list[list[int]]:
    """Every distinct triplet of values from different positions that sums to zero."""
    # Your code here.
    return []
