; expect: ok
; warnings: Woptimization_settings
struct Obj $7E0100
	.Type: skip 1
	.PosX: skip 2
	.PosY: skip 2
endstruct
org $008000
	lda Obj[0].PosY
	lda Obj[2].PosY
	lda Obj[3].Type,x
