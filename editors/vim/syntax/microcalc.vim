" Vim syntax file for microcalc (.mg files)
" Made from microcalc 0.1.0's grammar by `python -m microcalc.frontend.editors`;
" do not edit: run it again when the language changes.
if exists("b:current_syntax")
  finish
endif

syn keyword microcalcKeyword and else for if in not or repeat
syn keyword microcalcCommand backward boundary check dot explain plot sliders table tree unwatch watch
syn keyword microcalcFunction abs accuracy acos acosh asin asinh atan atanh blobs ceil circles cos cosh dataset exp floor grad hypot len load load_csv log log10 log2 losses max mean min mlp moons parameters predict print range relu round save sigmoid sign sin sinh slope spirals sqrt step sum tan tanh train value xor
syn keyword microcalcConstant _ ans e false pi true
syn match microcalcNumber "\v<(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
syn region microcalcString start=+"+ skip=+\\.+ end=+"+ oneline
syn match microcalcComment "#.*$"
syn match microcalcOperator "\V!=\|**\|*=\|+=\|-=\|/=\|:=\|<=\|==\|>=\|*\|+\|-\|/\|<\|=\|>\|^"

hi def link microcalcKeyword Keyword
hi def link microcalcCommand Statement
hi def link microcalcFunction Function
hi def link microcalcConstant Constant
hi def link microcalcNumber Number
hi def link microcalcString String
hi def link microcalcComment Comment
hi def link microcalcOperator Operator

let b:current_syntax = "microcalc"
