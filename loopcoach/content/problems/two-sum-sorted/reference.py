def two_sum_sorted(numbers, target):
    # Squeeze a window from both ends: a sum that is too small can only grow by moving the
    # left end right, and a sum that is too large can only shrink by moving the right end
    # left, so neither move ever passes over a valid pair.
    left, right = 0, len(numbers) - 1
    while left < right:
        total = numbers[left] + numbers[right]
        if total == target:
            return [left + 1, right + 1]
        if total < target:
            left += 1
        else:
            right -= 1
    return None
