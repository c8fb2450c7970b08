" microcalc scripts: made by `python -m microcalc.frontend.editors`
" (set, not setfiletype: Vim reads .mg as Modula-3 on its own)
autocmd BufRead,BufNewFile *.mg set filetype=microcalc
