"""The v1 API's documents: the OpenAPI 3.1 document (`openapi`, its `parts` and `schemas`),
the agent skill (`skill`) and the `/api-docs` page rendered from both (`page`).
"""
