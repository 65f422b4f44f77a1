"""HTTP plumbing every adapter shares, below them all and above `hub/core` (core knows no
HTTP): `responses` (JSON), `requests` (resources, raw headers), `clients` (client IP),
`middleware` (body limit, request id), `auth` (guarded token resolution), `mounts` (a Mount
per API with its own errors), `protocol` (uvicorn's HTTP protocol with request-head limits)
and `drf/` (the `/api` DRF-style base)."""
