"""Cache invalidation: an edit of a product, its producer, images, certificates or their decisions
drops the cached public pages that show it (keyed on the objects' ids and codes, see cache.py).

Saves through the models (forms, the API, ocop.evaluation.workflow, ocop.certification.revocation)
send these signals; bulk imports that write with QuerySet.update() do not, and are caught up by the
cache lifetime.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ocop.certification.models import Certificate, Decision
from ocop.registry.models import Producer, Product, ProductImage

from . import cache, images

_IDENTITY = ("code", "gtin", "legacy_code", "producer_id")


def _identity(product_id: int | None) -> dict[str, Any]:
    if product_id is None:
        return {}
    return Product.objects.filter(pk=product_id).values(*_IDENTITY).first() or {}


def _aliases(identity: dict[str, Any]) -> list[tuple[str, str]]:
    return cache.product_aliases(identity.get("code"), identity.get("gtin"), identity.get("legacy_code"))


@receiver(pre_save, sender=Product, dispatch_uid="ocop.public.product_before")
def _remember_product(sender: type, instance: Product, raw: bool = False, **kwargs: Any) -> None:
    # The old GTIN/codes/producer: their aliases and pages must go too.
    instance._public_before = {} if raw or instance.pk is None else _identity(instance.pk)


@receiver([post_save, post_delete], sender=Product, dispatch_uid="ocop.public.product")
def _product_changed(sender: type, instance: Product, **kwargs: Any) -> None:
    before = getattr(instance, "_public_before", {}) or {}
    now = {name: getattr(instance, name) for name in _IDENTITY}
    codes = list(Certificate.objects.filter(product_id=instance.pk).values_list("code", flat=True))
    cache.invalidate(
        certificates=codes,
        products=[instance.pk],
        producers=[now["producer_id"], before.get("producer_id")],
        aliases=_aliases(now) + _aliases(before),
        listings=bool(codes),  # never recognised: not on any public list
    )


def _certificates_changed(rows: list[dict[str, Any]]) -> None:
    product_ids = {row["product_id"] for row in rows}
    identities = Product.objects.filter(pk__in=product_ids).values("pk", *_IDENTITY)
    cache.invalidate(
        certificates=[row["code"] for row in rows],
        products=product_ids,
        producers=[identity["producer_id"] for identity in identities],
        aliases=[alias for identity in identities for alias in _aliases(identity)],
        listings=bool(rows),
    )


@receiver([post_save, post_delete], sender=Certificate, dispatch_uid="ocop.public.certificate")
def _certificate_changed(sender: type, instance: Certificate, **kwargs: Any) -> None:
    _certificates_changed([{"code": instance.code, "product_id": instance.product_id}])


@receiver([post_save, post_delete], sender=Decision, dispatch_uid="ocop.public.decision")
def _decision_changed(sender: type, instance: Decision, created: bool = False, **kwargs: Any) -> None:
    if created:
        return  # no certificate refers to it yet
    rows = Certificate.objects.filter(Q(decision=instance) | Q(revocation_decision=instance))
    _certificates_changed(list(rows.values("code", "product_id")))


@receiver([post_save, post_delete], sender=Producer, dispatch_uid="ocop.public.producer")
def _producer_changed(sender: type, instance: Producer, **kwargs: Any) -> None:
    codes = list(Certificate.objects.filter(product__producer_id=instance.pk).values_list("code", flat=True))
    product_ids = list(Product.objects.filter(producer_id=instance.pk).values_list("pk", flat=True))
    cache.invalidate(certificates=codes, products=product_ids, producers=[instance.pk], listings=bool(codes))


@receiver([post_save, post_delete], sender=ProductImage, dispatch_uid="ocop.public.image")
def _image_changed(sender: type, instance: ProductImage, **kwargs: Any) -> None:
    identity = _identity(instance.product_id)
    cache.invalidate(products=[instance.product_id], producers=[identity.get("producer_id")], listings=True)
    if kwargs.get("signal") is post_delete:
        images.remove_derivatives(instance)
