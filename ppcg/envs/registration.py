"""Environment ids, registered from a table (placeholder until the environments land)."""


def register_envs() -> None:
    """Register every ``ppcg/...`` id with Gymnasium (idempotent)."""
