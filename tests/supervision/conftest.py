from api.test_case_documents import api  # noqa: F401 (the API fixture, shared)
