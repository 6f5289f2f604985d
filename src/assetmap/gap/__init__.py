"""The gap measure: where deprivation and poor access to community assets meet.

First measures per neighbourhood (``measures``), supply-aware access (``fca``), the gap and need
indices, their classes and the priority score (``formulas``), equity by IMD decile (``equity``)
and the build's gap stage that runs them (``stage``); then the what-if tools on a finished build:
scenarios (a place opens or closes) and siting (where a new place helps most).
"""
