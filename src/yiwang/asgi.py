import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
django.setup(set_prefix=False)

from yiwang.core.body_limits import CappedASGIHandler  # noqa: E402 - needs the apps loaded

# Like get_asgi_application(), but an oversized body is not read into a temporary file first.
application = CappedASGIHandler()
