"""Reading defplan's input files: a portfolio (YAML) into a validated Portfolio, a saved
result (JSON) back into a Result; every problem located at its FILE:LINE:COLUMN.

  reading       a file's or stdin's bytes, within the size cap, decoded as UTF-8
  yaml12        the YAML 1.2 reader: text -> node tree -> plain data, problems at nodes
  portfolio     that data -> Portfolio (messages: pydantic errors in words)
  locate        line and column of an offset; JSON paths and where they are in the text
  saved         a saved result document -> Result (saved_model: the format's pydantic
                models; saved_checks: what the models cannot see)

The portfolio side is exported here. The saved result reader is imported from
defplan.loading.saved where a result is read: its models cost start-up time that
reading a portfolio should not pay.
"""

from defplan.loading.portfolio import load_portfolio, parse_portfolio
from defplan.loading.reading import MAX_BYTES, STDIN, read_source
from defplan.loading.yaml12 import MAX_DEPTH, MAX_VALUES, compose_yaml, node_at

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "STDIN",
    "compose_yaml",
    "load_portfolio",
    "node_at",
    "parse_portfolio",
    "read_source",
]
