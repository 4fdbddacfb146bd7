"""RR-file readers, one module per format (registered in ..registry).

The text formats share :mod:`.tabular` (the rules, and the reading of a table), built from
:mod:`.text`, :mod:`.columns`, :mod:`.numbers` and :mod:`.series`; :mod:`.fit` ends in
:mod:`.series` too.
"""
