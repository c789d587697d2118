"""consequences: notifications, queue items and extension points of this part (from apps.ready).

- notification kinds of a conclusion (``consequences.register_kinds``);
- the certificate page's revocation proposals (``certification.extensions``);
- the home queue's "Cảnh báo quá hạn khắc phục" for province offices (``core.queues``);
- the "Kiểm tra, giám sát" tab of product and producer pages (``registry.extensions``).
"""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from ocop.certification import extensions as certification
    from ocop.core import queues
    from ocop.core.scoping import PROVINCE
    from ocop.registry import extensions as registry

    from .. import consequences
    from ..views import consequences as followup

    consequences.register_kinds()
    certification.register_revocation_proposals(consequences.revocation_proposals)
    queues.providers.register(
        queues.Provider("oversight_warnings_overdue", frozenset({PROVINCE}), followup.overdue_item, order=120)
    )
    registry.product_tabs.register(
        registry.Tab(
            "oversight", _("Kiểm tra, giám sát"), followup.product_tab_count, followup.product_tab_render, 60
        )
    )
    registry.producer_tabs.register(
        registry.Tab(
            "oversight",
            _("Kiểm tra, giám sát"),
            followup.producer_tab_count,
            followup.producer_tab_render,
            60,
        )
    )
