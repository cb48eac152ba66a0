"""The read-only JSON API: remarks, briefings, topics, spokespersons and entities.

The same published querysets and the same FilterSets (statements/filters.py) as the HTML pages,
so a filter means one thing everywhere; cursor pagination; an OpenAPI schema (drf-spectacular)
at /api/schema/ with Swagger UI at /api/docs/.
"""
