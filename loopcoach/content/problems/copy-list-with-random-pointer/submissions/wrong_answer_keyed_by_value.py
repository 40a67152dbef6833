# verdict: wrong_answer
# Maps originals to copies by value; breaks as soon as two nodes share a value.
def copy_random_list(head):
    by_value = {}
    copies = []
    cur = head
    while cur:
        copy = Node(cur.val)
        by_value[cur.val] = copy
        copies.append((cur, copy))
        cur = cur.next
    for i, (old, new) in enumerate(copies):
        if i + 1 < len(copies):
            new.next = copies[i + 1][1]
        if old.random is not None:
            new.random = by_value[old.random.val]
    return copies[0][1] if copies else None
