; expect: ok
; A file marked includefrom may be included, just not assembled on its own.
org $008000
incsrc "include_only/part.asm"
