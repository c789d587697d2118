from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "ocop.public"
    label = "public"
    verbose_name = "Trang công khai"

    def ready(self) -> None:
        from ocop.certification import extensions as certification
        from ocop.registry import extensions

        from . import signals  # noqa: F401  (connects the cache invalidation receivers)
        from .templatetags import public_officer

        extensions.product_panels.register(
            extensions.ProductPanel("public", public_officer.product_panel_render)
        )
        certification.register_certificate_action(public_officer.certificate_actions_render)
