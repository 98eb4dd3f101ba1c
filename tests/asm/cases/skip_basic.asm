; expect: ok
; skip moves forward and backward without writing.
org $008000
	db $01
	skip 3
	db $02
	skip -2
	db $03
Here:
	dw Here
