"""The API's pagination, in a module of its own: DRF imports DEFAULT_PAGINATION_CLASS while it is still loading
its generic views, so the class cannot live beside them."""

from rest_framework.pagination import LimitOffsetPagination

# The most rows one page of a list may hold, whatever `limit` asks: more is a scrape, and a limit past the
# database's integers would fail the query.
MAX_PAGE_SIZE = 100


class Pagination(LimitOffsetPagination):
    """`limit` and `offset` as DRF reads them (default page size settings.REST_FRAMEWORK["PAGE_SIZE"]), the limit
    capped at MAX_PAGE_SIZE. An offset past the end is an empty page without a query."""

    max_limit = MAX_PAGE_SIZE
