" Vim syntax file for microcalc (.mg files)
" Made from microcalc 0.1.0's grammar by `python -m microcalc.frontend.editors`;
" do not edit: run it again when the language changes.
if exists("b:current_syntax")
  finish
endif

syn keyword microcalcKeyword repeat
syn keyword microcalcCommand backward boundary check dot explain plot sliders table tree unwatch watch
syn keyword microcalcFunction abs accuracy blobs circles cos dataset exp grad len load load_csv log losses mlp moons parameters predict relu round save sigmoid sign sin spirals sqrt step tanh train value xor
syn keyword microcalcConstant _ ans e false pi true
syn match microcalcNumber "\v<(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
syn region microcalcString start=+"+ skip=+\\.+ end=+"+ oneline
syn match microcalcComment "#.*$"
syn match microcalcOperator "\V**\|*=\|+=\|-=\|/=\|:=\|*\|+\|-\|/\|="

hi def link microcalcKeyword Keyword
hi def link microcalcCommand Statement
hi def link microcalcFunction Function
hi def link microcalcConstant Constant
hi def link microcalcNumber Number
hi def link microcalcString String
hi def link microcalcComment Comment
hi def link microcalcOperator Operator

let b:current_syntax = "microcalc"
