from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "ocop.public"
    label = "public"
    verbose_name = "Trang công khai"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the cache invalidation receivers)
