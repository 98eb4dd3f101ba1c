; expect: ok
org $008000
	db $01
	skip align 16
A1:
	db $02
	skip align 16 offset 5
A2:
	db $03
	skip align $20 offset $17
A3:
	dw A1, A2, A3
