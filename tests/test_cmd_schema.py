"""`defplan schema`: the JSON Schema of the portfolio file."""

from __future__ import annotations

import json

from samples import (
    invoke,
)


def test_schema_prints_json_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert "$schema" in schema
    assert schema["type"] == "object"
    assert {"objectives", "candidates"} <= set(schema["required"])
    assert set(schema["properties"]) >= {
        "defplan", "name", "years", "objectives", "commitments", "budget", "groups", "rules",
        "candidates",
    }  # fmt: skip
    assert schema["additionalProperties"] is False  # unknown keys are errors (docs/file-format.md)
    assert result.stderr == ""
