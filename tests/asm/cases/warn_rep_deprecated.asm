; expect: ok
; warnings: Wfeature_deprecated
; The rep command (repeat a line) is deprecated in favour of for loops.
org $008000
	rep 3 : db $AA
	rep #$30
