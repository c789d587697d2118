"""Product images: `ProductImage`, a photo of a product (packaging, label, the product itself)
shown on its pages, stored under a random name in ``products/<product id>/``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.scoping import RestrictedManager, ScopePaths

from .products import Product


def _product_image_path(instance: ProductImage, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    return f"products/{instance.product_id}/{uuid.uuid4().hex}.{instance.format.lower()}"


class ProductImage(models.Model):
    """A photo of a product (packaging, label, the product itself) shown on its pages."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("ảnh"), upload_to=_product_image_path, max_length=200)
    format = models.CharField(_("định dạng"), max_length=8, editable=False)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    caption = models.CharField(_("chú thích"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    uploaded = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    scope = ScopePaths(province="product__province", commune="product__commune", owner="product__producer")
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("ảnh sản phẩm")
        verbose_name_plural = _("ảnh sản phẩm")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.product} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("registry:product_image", args=[self.pk])
