import pytest
from django.db import connection

from merchants.checks import E001, check_utf8_ctype, ctype_is_utf8


@pytest.mark.parametrize(
    ("ctype", "ok"),
    [("C.UTF-8", True), ("en_US.utf8", True), ("zh_CN.UTF-8", True), ("C", False), ("POSIX", False),
     ("en_US.ISO8859-1", False)],
)  # fmt: skip
def test_only_utf8_ctypes_pass(ctype, ok):
    assert ctype_is_utf8(ctype) is ok


@pytest.mark.django_db
def test_the_test_database_passes_the_check():
    # CI runs this on PostgreSQL, where the ctype decides whether pg_trgm sees Chinese characters at all.
    assert check_utf8_ctype(None, databases=["default"]) == []


@pytest.mark.django_db
def test_a_c_ctype_is_reported(monkeypatch):
    if connection.vendor != "postgresql":
        assert check_utf8_ctype(None, databases=["default"]) == []
        return

    class Cursor:
        def __init__(self, real):
            self.real = real

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql, params=None):
            pass

        def fetchone(self):
            return ("C",)

    monkeypatch.setattr(connection, "cursor", lambda: Cursor(None))
    errors = check_utf8_ctype(None, databases=["default"])
    assert [e.id for e in errors] == [E001]


@pytest.mark.django_db
def test_name_candidates_are_found_for_chinese_names_on_either_backend():
    from merchants.matching import NameKeys
    from merchants.selectors import name_candidates
    from merchants.services import MerchantClaims, merchant_resolve

    merchant_resolve(claims=MerchantClaims(merchant_name="易联购数码", platform="taobao_tmall"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT show_trgm(%s)", ["易联购"])
            (trigrams,) = cursor.fetchone()
        # Multibyte trigrams show as hashes; under a C ctype there would be none at all.
        assert len(trigrams) == 4
    found = name_candidates(keys=NameKeys("易联购数马", "yiliangoushuma"), platform=None, all_platforms=True)
    assert [c.identifier.normalized for c in found] == ["易联购数码"]
