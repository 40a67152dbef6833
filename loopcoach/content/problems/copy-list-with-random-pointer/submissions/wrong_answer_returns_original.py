# verdict: wrong_answer
# Returns the original list: same values and links, but no copy was made.
def copy_random_list(head):
    return head
