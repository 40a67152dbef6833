class TwoSum:
    def __init__(self) -> None:
        pass

    def add(self, number: int) -> None:
        """Record one more occurrence of number."""

    def find(self, value: int) -> bool:
        """Whether two different recorded occurrences sum to value."""
        return False
