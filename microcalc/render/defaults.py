"""How much of a graph each picture draws unless told otherwise. Kept apart from the
renderers so that the language can show these defaults in help without loading them."""

TREE_DEPTH = 12          # levels below the root
TREE_NODES = 200         # lines
DOT_NODES = 200          # the nodes nearest the output
EXPLAIN_PATHS = 20       # paths written out before a summary
BACKWARD_STEPS = 200      # steps of a backward walk written out
