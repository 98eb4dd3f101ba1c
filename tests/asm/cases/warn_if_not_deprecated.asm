; expect: ok
; warnings: Wfeature_deprecated
; if !cond is deprecated syntax for "not".
org $008000
if !(0)
	db 1
endif
