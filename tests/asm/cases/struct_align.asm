; expect: ok
; warnings: Woptimization_settings
struct Slot $7E0200
	.A: skip 1
	.B: skip 2
endstruct align 16
org $008000
	lda Slot[2].B
	db sizeof(Slot), objectsize(Slot)
