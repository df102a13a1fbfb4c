"""Schema fuzzing of the live service from its own OpenAPI document (schemathesis).

Generated requests, valid and invalid, hit every route with an admin key: no answer may be a
server error, and every documented response must match its documented schema. The number of
cases per route is bounded (hypothesis ``max_examples``) to keep the suite fast.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CASES_PER_ROUTE = 30


def test_no_server_errors_and_documented_responses(server):
    schema = schemathesis.openapi.from_url(server["base"] + "/docs.json")
    headers = {"X-API-Key": server["keys"]["admin"]}
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert {"/v1/churn/predict", "/v1/demand/forecast", "/v1/models"} <= paths
    calls = []
    for operation in operations:

        @settings(
            max_examples=CASES_PER_ROUTE,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call_and_validate(
                base_url=server["base"],
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance],
                timeout=30,
            )
            calls.append((case.path, response.status_code))

        fuzz()
    statuses = {status for _, status in calls}
    assert len(calls) >= len(operations) and not any(s >= 500 for s in statuses)
    assert 200 in statuses and statuses & {400, 404, 413, 415, 422}  # valid and invalid cases
