"""Online scoring: one BentoML service for every champion (bentoml only in service.py)."""
