def two_sum(nums, target):
    # Remember where each value was last seen; for every new value, ask whether its
    # complement has already appeared at an earlier position.
    position = {}
    for index, value in enumerate(nums):
        partner = position.get(target - value)
        if partner is not None:
            return [partner, index]
        position[value] = index
    return None
