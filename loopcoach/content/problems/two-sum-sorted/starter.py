def two_sum_sorted(numbers: list[int], target: int) -> list[int]:
    """Return [i, j], 1-based with i < j, such that numbers[i] + numbers[j] == target."""
    # Your code here.
    return []
