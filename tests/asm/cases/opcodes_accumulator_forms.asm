; expect: ok
; Accumulator forms: "asl", "asl a" and "asl A" are the same instruction.
org $008000
	asl
	asl a
	asl A
	lsr
	lsr a
	rol
	rol A
	ror
	ror a
	inc
	inc a
	dec
	dec A
