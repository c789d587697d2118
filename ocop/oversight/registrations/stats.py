"""stats: notifications, queue items and extension points of this part (from apps.ready)."""


def register() -> None:
    pass
