; expect: ok
; warnings: Wfeature_deprecated
math pri on
org $008000
	db 7%3, 1<<4, $80>>3, $F0&$3C, $F0|$0F, $FF^$0F
	db ~$0F, -(3), +5, 2**4
	dd ~0
	dw 10/3, -7/2
