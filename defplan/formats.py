"""The format ids of defplan's JSON documents, in one place: the `format` field that
tells a script (and `defplan diff`) what a document is. A change to a document's shape
that an old reader would misread gets a new id."""

RESULT_FORMAT = "defplan-result/1"
SWEEP_FORMAT = "defplan-sweep/1"
SCENARIOS_FORMAT = "defplan-scenarios/1"
DIFF_FORMAT = "defplan-diff/1"
EXPLAIN_FORMAT = "defplan-explain/1"
RISK_FORMAT = "defplan-risk/1"
FRONTIER_FORMAT = "defplan-frontier/1"
ROBUST_FORMAT = "defplan-robust/1"
