def copy_random_list(head):
    # First pass: one new node per old node, remembered by the old node itself (not by
    # its value, which may repeat). Second pass: wire next and random through that map.
    twin = {}
    node = head
    while node is not None:
        twin[node] = Node(node.val)
        node = node.next
    node = head
    while node is not None:
        copy = twin[node]
        copy.next = twin.get(node.next) if node.next is not None else None
        copy.random = twin.get(node.random) if node.random is not None else None
        node = node.next
    return twin.get(head) if head is not None else None
