# verdict: time_limit
# No map: finds each random target's position by walking from the head, then walks
# the copy to the same position. Quadratic in the length of the list.
def copy_random_list(head):
    dummy = Node(0)
    tail = dummy
    cur = head
    while cur:
        tail.next = Node(cur.val)
        tail = tail.next
        cur = cur.next
    old, new = head, dummy.next
    while old:
        if old.random is not None:
            pos, walker = 0, head
            while walker is not old.random:
                walker = walker.next
                pos += 1
            target = dummy.next
            for _ in range(pos):
                target = target.next
            new.random = target
        old, new = old.next, new.next
    return dummy.next
