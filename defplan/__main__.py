"""`python -m defplan`."""

from defplan.boundary import main

main()
