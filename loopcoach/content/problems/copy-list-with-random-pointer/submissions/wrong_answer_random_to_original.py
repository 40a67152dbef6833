# verdict: wrong_answer
# Copies the next chain but leaves every random pointer on the original nodes,
# so the copy still shares nodes with the input.
def copy_random_list(head):
    dummy = Node(0)
    tail = dummy
    cur = head
    while cur:
        tail.next = Node(cur.val)
        tail.next.random = cur.random
        tail = tail.next
        cur = cur.next
    return dummy.next
