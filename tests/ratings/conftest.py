from api.test_case_documents import api, apply  # noqa: F401 (the API fixtures, shared)
