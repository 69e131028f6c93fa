"""Reads about merchants for other apps."""

from merchants.models import Platform


def platform_choices():
    """(code, label) pairs for forms and the API, in the order DESIGN.md section 7 gives."""
    return list(Platform.Code.choices)
