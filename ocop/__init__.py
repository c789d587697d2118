"""OCOP programme platform (Mỗi xã một sản phẩm)."""

__version__ = "0.1.0"
