; expect: error Elabel_not_found
; The error is reported in the included file at its own line number.
org $008000
incsrc "error_in_included_file/helper.asm"
