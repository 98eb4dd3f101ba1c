; expect: ok
; warnings: Wfeature_deprecated
; warnpc fails only when the pc is past the limit (equal is fine).
org $008000
	db 1,2,3,4
warnpc $008004
	nop
warnpc $008010
