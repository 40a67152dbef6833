class KVStore:
    def __init__(self) -> None:
        pass

    def set(self, key: str, value: int) -> None:
        pass

    def get(self, key: str) -> "int | None":
        return None

    def delete(self, key: str) -> None:
        pass

    def count(self, value: int) -> int:
        return 0

    def begin(self) -> None:
        pass

    def rollback(self) -> None:
        """Undo the innermost open transaction; raise if none is open."""

    def commit(self) -> None:
        """Close the innermost open transaction, keeping its changes; raise if none is open."""
