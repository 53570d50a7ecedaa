"""The API's URL resolver: tries only the routes that could match the path's first segment.

django-ninja gives one flat list of patterns, one per operation (about eighty), and Django tries
them in order, keeping a record of each miss (`ResolverMatch.tried`): `GET /api/v1/licences/{id}/
verification` was compared with 33 routes before its own. Nesting the routes in one include per
segment made it slower (a second resolver level and match object cost more than the misses).
So `SegmentResolver` keeps the single level and Django's own `resolve`, and hands each request to
a resolver over the subset of routes for its first segment, in their original order.

A route belongs to a segment's subset when its first segment is that literal text; a route
whose first segment is not literal (a parameter, a regular expression, an include) could match
anything and belongs to every subset, keeping its place. A path whose first segment no literal
route has gets every route. So the first route that matches is the one Django would have found.
Reversing URLs uses the full list, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.urls.resolvers import RoutePattern, URLPattern, URLResolver


def _literal_segment(pattern: Any) -> str | None:
    """The route's first segment if it is literal text, else None (it may match any segment)."""
    if not isinstance(pattern, URLPattern) or not isinstance(pattern.pattern, RoutePattern):
        return None
    segment = str(pattern.pattern._route).partition("/")[0]
    return None if "<" in segment else segment


class SegmentResolver(URLResolver):
    """A URLResolver that resolves through the subset of its routes for the path's first segment."""

    def __init__(self, route: str, urls: tuple[list[Any], str, str]) -> None:
        patterns, app_name, namespace = urls
        super().__init__(
            RoutePattern(route, is_endpoint=False), patterns, app_name=app_name, namespace=namespace
        )
        segments = {s for s in map(_literal_segment, patterns) if s is not None}
        self._subsets = {
            segment: URLResolver(
                self.pattern,
                [p for p in patterns if _literal_segment(p) in (segment, None)],
                app_name=app_name,
                namespace=namespace,
            )
            for segment in segments
        }

    def resolve(self, path: Any) -> Any:
        path = str(path)
        match = self.pattern.match(path)
        if match:
            subset = self._subsets.get(match[0].partition("/")[0])
            if subset is not None:
                return subset.resolve(path)
        return super().resolve(path)
