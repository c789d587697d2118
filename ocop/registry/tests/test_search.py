"""registry.search: the indexed search finds exactly what the plain substring rule finds, on SQLite
(FTS5 trigram) and PostgreSQL (pg_trgm); ranking; the index follows every way rows are written."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocop.core.text import fold_terms
from ocop.registry import search
from ocop.registry.models import Producer, Product, ProductImage

from .conftest import World, make_producer, make_product
from .test_api import PRODUCTS, Api

PRODUCER_NAMES = ["HTX Đắk Lắk Xanh", "Công ty Gạo Việt", "Hộ Nguyễn Văn Đạt", "Cơ sở Lúa Tám"]
PRODUCT_NAMES = [
    "Gạo ST25",
    "Gạo lứt Đắk Lắk",
    "Cà phê Đắk Lắk",
    "Mật ong hoa nhãn",
    "Nước mắm Phú Quốc",
    "Trà 100% shan tuyết",
    "Bánh tráng_mè",
    'Rượu gạo "Làng Vân"',
    "Hạt điều rang muối",
    "Cà phê gạo rang",
]
TAX_CODES = ["0100109106", "", "0300588569", ""]
GTINS = ["8934588012228", "8936036020014"]


@pytest.fixture
def catalogue(db, unit) -> dict[str, list[int]]:
    place = unit("00004")
    producers = [
        make_producer(place, name=name, tax_code=TAX_CODES[i]) for i, name in enumerate(PRODUCER_NAMES)
    ]
    products = [
        make_product(producers[i % len(producers)], name=name, gtin=GTINS[i] if i < len(GTINS) else "")
        for i, name in enumerate(PRODUCT_NAMES)
    ]
    return {"producers": [p.pk for p in producers], "products": [p.pk for p in products]}


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _naive_producers(text: str) -> set[int]:
    queryset = Producer.objects.all()
    for term in fold_terms(text):  # the words, the punctuation around them left out
        condition = Q(search_text__contains=term)
        if any(ch.isalpha() for ch in term):
            condition |= Q(unit__place_text__contains=term)
        queryset = queryset.filter(condition)
    return _pks(queryset)


def _texts() -> list[str]:
    return (
        list(Product.objects.values_list("search_text", flat=True))
        + list(Producer.objects.values_list("search_text", flat=True))
        + list(Product.objects.values_list("unit__place_text", flat=True).distinct())
    )


# Words from the stored texts (cut anywhere, so substrings of 1 to 8 characters) and random ones.
ALPHABET = "abcdeghiklmnoprstuvxy0123456789 |%_-\"'"
random_text = st.text(alphabet=ALPHABET, min_size=1, max_size=12)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_indexed_search_finds_what_the_substring_rule_finds(catalogue, data) -> None:
    if not ProductImage.objects.exists():  # one image per product: rows that point at a product
        ProductImage.objects.bulk_create(
            ProductImage(product_id=pk, image=f"products/{pk}.jpg") for pk in catalogue["products"]
        )
    texts = _texts()
    source = data.draw(st.sampled_from(texts))
    start = data.draw(st.integers(0, max(0, len(source) - 1)))
    cut = source[start : start + data.draw(st.integers(1, 8))]
    for text in (cut, data.draw(random_text), f"{cut} {data.draw(random_text)}", cut.upper()):
        products = Product.objects.all()
        assert _pks(search.search_products(products, text)) == _pks(search.naive_products(products, text)), (
            text
        )
        assert _pks(search.search_products(products, text, producer_numbers=False)) == _pks(
            search.naive_products(products, text, producer_numbers=False)
        ), text
        assert _pks(search.search_producers(Producer.objects.all(), text)) == _naive_producers(text), text
        # Another table's rows by their product (certificates, dossiers: path="product__").
        found = search.product_condition(text, path="product__", producer_numbers=False)
        assert set(ProductImage.objects.filter(found).values_list("product_id", flat=True)) == _pks(
            search.naive_products(products, text, producer_numbers=False)
        ), text


def test_diacritics_codes_and_numbers(catalogue) -> None:
    products = Product.objects.all()

    def names(text: str, **kwargs) -> set[str]:
        return set(search.search_products(products, text, **kwargs).values_list("name", flat=True))

    assert (
        names("dak lak")
        == names("Đắk Lắk")
        == {"Gạo lứt Đắk Lắk", "Cà phê Đắk Lắk", "Gạo ST25"}
        | {p.name for p in products.filter(producer__name="HTX Đắk Lắk Xanh")}
    )
    assert "Gạo ST25" in names("gao")
    assert names("100%") == {"Trà 100% shan tuyết"}  # LIKE wildcards are plain characters
    assert names("g_m") == {"Bánh tráng_mè"}
    assert names("c_m") == set()  # "nuoc mam" has "c m", not "c_m"
    assert names('"lang') == {'Rượu gạo "Làng Vân"'}
    gtin_product = products.get(gtin=GTINS[0], name="Gạo ST25")
    assert gtin_product.name in names(GTINS[0][3:])
    code = products.get(name="Mật ong hoa nhãn").code
    assert names(code) == {"Mật ong hoa nhãn"}
    taxed = Producer.objects.exclude(tax_code="").first()
    assert names(taxed.tax_code) == set(products.filter(producer=taxed).values_list("name", flat=True))
    assert names(taxed.tax_code, producer_numbers=False) == set()  # the public search: no tax numbers
    assert _pks(search.search_producers(Producer.objects.all(), taxed.tax_code)) == {taxed.pk}


def test_ranking_is_phrase_start_then_word_start_then_own_text_then_producer(db, unit) -> None:
    place = unit("00004")
    gao_producer = make_producer(place, name="HTX Gạo Sạch")
    other = make_producer(place, name="HTX Bốn Mùa")
    only_producer = make_product(gao_producer, name="Aa bánh đa")  # "gao" only in its producer's name
    inside = make_product(other, name="Aa Ngaongao")  # "gao" inside a word
    word = make_product(other, name="Aa gạo nếp")  # a word starts with "gao"
    phrase_b = make_product(other, name="Gạo tám B")
    phrase_a = make_product(other, name="Gạo tám A")
    ranked = list(search.search_products(Product.objects.all(), "gao").values_list("pk", flat=True))
    assert ranked == [phrase_a.pk, phrase_b.pk, word.pk, inside.pk, only_producer.pk]
    ranked = list(search.search_products(Product.objects.all(), "gao tam").values_list("pk", flat=True))
    assert ranked == [phrase_a.pk, phrase_b.pk]


def test_lists_and_api_use_the_rank_unless_a_sort_is_chosen(world: World, client, unit) -> None:
    place = world.places["hn1"]
    producer = make_producer(place, name="HTX Bốn Mùa")
    make_product(producer, name="Aa gạo nếp")
    make_product(producer, name="Gạo tám")
    officer = world.client("central")

    def names(url: str) -> list[str]:
        response = officer.get(url)
        assert response.status_code == 200
        return [row.record.name for row in response.context["table"].page.object_list]

    assert names("/registry/products/?q=gao") == ["Gạo tám", "Aa gạo nếp"]
    assert names("/registry/products/?q=gao&sort=name") == ["Aa gạo nếp", "Gạo tám"]
    assert names("/registry/products/?q=gao&sort=-name") == ["Gạo tám", "Aa gạo nếp"]
    assert names("/registry/products/") == ["Aa gạo nếp", "Gạo tám"]
    listing = Api(client, world.users["central"]).get(PRODUCTS, q="gao").json()
    assert [item["name"] for item in listing["items"]] == ["Gạo tám", "Aa gạo nếp"]


def test_renamed_and_bulk_written_rows_are_found_at_once(db, unit) -> None:
    place = unit("00004")
    producer = make_producer(place, name="HTX Cũ")
    product = make_product(producer, name="Chè búp")
    products = Product.objects.all()

    product.name = "Chè Thái Nguyên"
    product.save()
    assert _pks(search.search_products(products, "thai nguyen")) == {product.pk}
    assert not search.search_products(products, "che bup").exists()

    producer.name = "HTX Tân Cương"
    producer.save()
    assert _pks(search.search_products(products, "tan cuong")) == {product.pk}
    assert _pks(search.search_producers(Producer.objects.all(), "tan cuong")) == {producer.pk}

    Producer.objects.filter(pk=producer.pk).update(search_text="htx phu tho")  # update(), no save()
    assert _pks(search.search_producers(Producer.objects.all(), "phu tho")) == {producer.pk}
    assert not search.search_producers(Producer.objects.all(), "tan cuong").exists()

    with connection.cursor() as cursor:  # raw SQL
        cursor.execute(
            f"UPDATE {Product._meta.db_table} SET search_text = %s WHERE id = %s", ["mang tay", product.pk]
        )
    assert _pks(search.search_products(products, "mang tay")) == {product.pk}

    fresh = []
    for i in range(3):
        row = Product(name=f"Nấm linh chi {i}", producer=producer, unit=place, classification_set="B07")
        row.province, row.commune = product.province, product.commune
        row.refresh_search()
        fresh.append(row)
    Product.objects.bulk_create(fresh)
    assert search.search_products(products, "nam linh chi").count() == 3

    Product.objects.filter(name__startswith="Nấm").delete()
    assert not search.search_products(products, "nam linh chi").exists()


def test_an_import_is_found_by_its_names(db, unit) -> None:
    from .test_io import VIETTEL, import_csv, product_row

    make_producer(unit("00004"), name="HTX Viettel", tax_code=VIETTEL)
    result = import_csv("products", [product_row(name=f"Khô gà lá chanh {i}") for i in range(5)])
    assert result.ok, result.errors
    assert search.search_products(Product.objects.all(), "kho ga la chanh").count() == 5


def _plan(queryset) -> str:
    if connection.vendor == "postgresql":
        # A test table is tiny: the planner rightly prefers a scan. Forbidding scans shows the index
        # serves the query (on the national data the planner chooses it by itself, see README).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")  # nor a full walk of the primary key
            return queryset.explain()
    return queryset.explain()


@pytest.mark.parametrize("text", ["gao", "dak lak", "0300588569"])
def test_the_plan_uses_the_index(catalogue, text) -> None:
    products = _plan(search.search_products(Product.objects.select_related("producer"), text)[:50])
    producers = _plan(search.search_producers(Producer.objects.all(), text)[:50])
    if connection.vendor == "sqlite":
        assert "registry_product_fts VIRTUAL TABLE INDEX" in products
        assert "registry_producer_fts VIRTUAL TABLE INDEX" in products
        assert "registry_producer_fts VIRTUAL TABLE INDEX" in producers
    else:
        assert "Bitmap Index Scan on registry_product_search_trgm" in products
        assert "Bitmap Index Scan on registry_producer_search_trgm" in producers, producers


def test_short_terms_use_the_plain_rule(catalogue) -> None:
    products = Product.objects.all()
    for text in ("g", "ga", "25", "ga ph"):
        assert _pks(search.search_products(products, text)) == _pks(search.naive_products(products, text))
    sql = str(search.search_products(products, "ga").query)
    assert "_fts" not in sql and "LIKE" in sql.upper()
    # PostgreSQL: no index serves a short term, so its producers and places are not read first
    # (a scan of their own); they stay subqueries of the one statement, with the same rows.
    with CaptureQueriesContext(connection) as queries:
        search.product_condition("xa")
    assert len(queries) == (0 if connection.vendor == "postgresql" else 1)


def test_punctuation_typed_around_words_finds_the_same(catalogue) -> None:
    products = Product.objects.all()
    plain = _pks(search.search_products(products, "gạo đắk"))
    assert plain
    for text in ('"gạo đắk"', "gạo, đắk.", "(gạo) “Đắk”"):
        assert _pks(search.search_products(products, text)) == plain, text
    producers = Producer.objects.all()
    assert _pks(search.search_producers(producers, '"gạo việt"')) == _pks(
        search.search_producers(producers, "gạo việt")
    )
    assert _pks(search.search_producers(producers, "gạo việt"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 tables are SQLite's")
def test_migrate_puts_back_triggers_a_table_remake_dropped(catalogue) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER registry_product_fts_ai")
        cursor.execute("DROP TRIGGER registry_product_fts_au")
    make_product(Producer.objects.first(), name="Sâm Ngọc Linh")  # not indexed: no trigger
    assert not search.search_products(Product.objects.all(), "ngoc linh").exists()
    post_migrate.send(
        sender=apps.get_app_config("registry"), app_config=apps.get_app_config("registry"), using="default"
    )
    assert search.search_products(Product.objects.all(), "ngoc linh").count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_product_fts(registry_product_fts, rank) VALUES ('integrity-check', 1)"
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 tables are SQLite's")
def test_flush_leaves_the_index_empty_and_whole(db, unit) -> None:
    """`ocop flush` and a TransactionTestCase's teardown delete every row: the triggers empty the
    index too. (Inside this test's transaction, so the flush is rolled back for the next tests.)"""
    from django.core.management import call_command

    make_product(make_producer(unit("00004"), name="HTX Sen Hồng"), name="Trà sen")
    assert search.search_products(Product.objects.all(), "tra sen").exists()
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        for table, fts in search.FTS_TABLES.items():
            cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
            cursor.execute(f"SELECT count(*) FROM {fts}_docsize")
            indexed = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM {table}")
            # (the test settings load the units again after a flush: their index holds them again)
            assert indexed == cursor.fetchone()[0] == (0 if table != "geo_unit" else indexed)


def test_places_and_descriptions_are_found(db, unit) -> None:
    """Issue 12.5: "dong thap" finds the province's products; former names (a district, a province
    merged in 2025) find them too; a description holds words the name does not."""
    lai_vung = unit("30226")  # Xã Lai Vung, Đồng Tháp; made of communes of former huyện Lấp Vò
    producer = make_producer(lai_vung, name="HTX Hoa Sen")
    product = make_product(producer, name="Hủ tiếu Sa Đéc", description="Hủ tiếu khô từ gạo Đồng Tháp.")
    elsewhere = make_product(make_producer(unit("00004"), name="HTX Ba Đình"), name="Bánh cốm")
    products = Product.objects.all()
    for text in ("Đồng Tháp", "dong thap", "DONG THAP", "lap vo", "Lai Vung", "hu tieu dong thap"):
        assert _pks(search.search_products(products, text)) == {product.pk}, text
        assert _pks(search.naive_products(products, text)) == {product.pk}, text
    assert _pks(search.search_products(products, "gao")) == {product.pk}  # in the description only
    assert _pks(search.search_products(products, "ha noi")) == {elsewhere.pk}
    assert _pks(search.search_producers(Producer.objects.all(), "dong thap")) == {producer.pk}
    assert not search.search_products(products, "dong thap banh com").exists()


def test_a_renamed_unit_is_found_by_its_new_name(db, unit) -> None:
    from ocop.geo.models import Unit

    commune = unit("00004")
    product = make_product(make_producer(commune), name="Bánh cốm")
    assert not search.search_products(Product.objects.all(), "Hoàng Thành").exists()
    province = Unit.objects.get(pk=commune.current_province_id)
    province.name = "Thành phố Hoàng Thành"
    province.save()
    assert _pks(search.search_products(Product.objects.all(), "Hoàng Thành")) == {product.pk}


@pytest.mark.parametrize("term", ["dong thap", "lap vo", "gao", "ha", "hoan kiem", "xa", "tan"])
def test_place_terms_find_the_same_units_through_the_index(db, unit, term) -> None:
    """SQLite reads a place term's units from geo_unit_fts (3+ characters); they are exactly the
    units whose folded place names hold the term, as the plain scan finds them."""
    from ocop.geo.models import Unit

    unit("30226")  # loads the units the conftest keeps
    expected = set(Unit.objects.filter(place_text__contains=term).values_list("pk", flat=True))
    found = set(Unit.objects.filter(search._place_match("id", term, "default")).values_list("pk", flat=True))
    assert found == expected
    assert expected, term


def test_a_list_of_ids_is_written_once_into_the_sql(db, unit) -> None:
    """The ids a term finds first are written into the statement, not bound one by one; PostgreSQL
    gets them as one array constant (parsed once, not id by id), SQLite as an IN list."""
    from ocop.geo.models import Unit

    unit("30226")
    ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:40])
    chosen = Unit.objects.filter(search._id_list("id", ids, "default"))
    assert set(chosen.values_list("pk", flat=True)) == set(ids)
    sql, params = chosen.query.sql_with_params()
    written = ",".join(map(str, ids))
    if connection.vendor == "postgresql":
        assert f"= ANY('{{{written}}}'::bigint[])" in sql
    else:
        assert f"IN ({written})" in sql
    assert not set(params) & set(ids)
    assert not Unit.objects.filter(search._id_list("id", [], "default")).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 tables are SQLite's")
def test_the_units_place_index_follows_a_rename(db, unit) -> None:
    from ocop.geo.models import Unit

    commune = unit("00004")
    province = Unit.objects.get(pk=commune.current_province_id)
    province.name = "Thành phố Hoàng Thành"
    province.save()  # refresh_place_texts: a bulk UPDATE of place_text, which the triggers follow
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM geo_unit_fts WHERE geo_unit_fts MATCH '\"hoang thanh\"'")
        assert commune.pk in {row[0] for row in cursor.fetchall()}
        cursor.execute("INSERT INTO geo_unit_fts(geo_unit_fts, rank) VALUES ('integrity-check', 1)")


def test_the_exact_code_or_name_ranks_first(db, unit) -> None:
    place = unit("00004")
    producer = make_producer(place, name="HTX Bốn Mùa")
    longer = make_product(producer, name="Gạo tám thơm Hải Hậu")
    exact = make_product(producer, name="Gạo tám")
    ranked = list(search.search_products(Product.objects.all(), "gao tam").values_list("pk", flat=True))
    assert ranked == [exact.pk, longer.pk]
    # a code typed in full comes before the rows that merely contain it
    ranked = list(search.search_products(Product.objects.all(), longer.code).values_list("pk", flat=True))
    assert ranked[0] == longer.pk
