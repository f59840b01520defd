"""`python -m defplan`."""

from defplan.cli import main

main()
