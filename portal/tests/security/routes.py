"""Every URL pattern of the site, read from the resolver: its full name, its route text and its view."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

ADMIN_NAMESPACE = "admin:"
# What stands in for each converter when a route is requested without a real object.
SAMPLES = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000001", "slug": "x1", "str": "x1", "path": "x1"}
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Route:
    name: str  # with its namespaces, e.g. "complaints:detail"
    pattern: str  # the route's text from the root, converters and regex groups included
    parameters: list[tuple[str, str]]  # (converter or "regex", parameter name)
    callback: object

    def sample_path(self) -> str:
        """A path this route resolves, each parameter filled with a sample."""
        return "/" + _sample(self.pattern)


def _sample(pattern: str) -> str:
    text = _ROUTE_PARAM.sub(lambda m: SAMPLES[m.group("converter") or "str"], pattern)
    # Regex routes (the admin's, the i18n view's): each group by a value it accepts.
    text = _REGEX_GROUP.sub(lambda m: _regex_value(m.group("body")), text)
    return text.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")


def _regex_value(body: str) -> str:
    for value in [*body.split("|"), *SAMPLES.values()]:
        if re.fullmatch(body, value):
            return value
    raise AssertionError(f"no sample for the group {body!r}")


def _parameters(pattern) -> list[tuple[str, str]]:
    if isinstance(pattern, RoutePattern):
        return [(m.group("converter") or "str", m.group("name")) for m in _ROUTE_PARAM.finditer(str(pattern))]
    assert isinstance(pattern, RegexPattern), pattern
    return [("regex", name) for name in pattern.regex.groupindex]


def _walk(resolver, prefix="", namespace="", parameters=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner, (*parameters, *_parameters(entry.pattern)))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {prefix}{entry.pattern}>"
            params = [*parameters, *_parameters(entry.pattern)]
            yield Route(name, prefix + str(entry.pattern), params, entry.callback)


def routes() -> list[Route]:
    return list(_walk(get_resolver()))


def route_names() -> set[str]:
    return {route.name for route in routes()}
