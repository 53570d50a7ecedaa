from ninja.renderers import JSONRenderer


class ChineseJSONRenderer(JSONRenderer):
    """Readable UTF-8 JSON rather than \\u escapes (smaller, and legible in logs and curl)."""

    json_dumps_params = {"ensure_ascii": False}
