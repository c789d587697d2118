from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ocop.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from django.db.models import fields

        # The empty choice of every <select> built from a model field (choices or foreign key):
        # Django 6.1's "- Select an option -" is English in the Vietnamese pages. The dash is what
        # the registry's forms (registry.forms.BLANK) and every list filter already show.
        fields.BLANK_CHOICE_LABEL = "---------"
