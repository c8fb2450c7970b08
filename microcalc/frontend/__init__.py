"""The front ends: the `microcalc` command (cli), the REPL (repl/), how output is shown
(display), how programs are read (sources) and the Pygments lexer. The only layer that
knows about terminals, files and processes."""
