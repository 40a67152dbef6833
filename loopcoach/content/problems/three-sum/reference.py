def three_sum(nums):
    # A zero-sum triplet is either three zeros, or a negative, a zero and a positive, or
    # two numbers of one sign balanced by one of the other sign. Working over distinct
    # values with their counts makes every triplet come out exactly once.
    count = {}
    for value in nums:
        count[value] = count.get(value, 0) + 1
    negatives = sorted(value for value in count if value < 0)
    positives = sorted(value for value in count if value > 0)

    triplets = []
    if count.get(0, 0) >= 3:
        triplets.append([0, 0, 0])
    if 0 in count:
        for value in positives:
            if -value in count:
                triplets.append([-value, 0, value])
    for same_sign in (negatives, positives):
        for i, first in enumerate(same_sign):
            if count[first] >= 2 and -2 * first in count:
                triplets.append([first, first, -2 * first])
            for second in same_sign[i + 1 :]:
                third = -(first + second)
                if third in count:
                    triplets.append([first, second, third])
    return triplets
