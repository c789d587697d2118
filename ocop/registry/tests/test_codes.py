"""Product codes, GTINs, tax codes."""

from ocop.registry.codes import ProductCode, format_product_code, parse_product_code


def test_format_and_parse_example():
    assert format_product_code("82", "28756", 12, 2026) == "82-28756-12-2026"
    assert parse_product_code(" 82 - 28756 - 12 - 2026 ") == ProductCode("82", "28756", 12, 2026)
