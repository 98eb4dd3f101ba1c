; expect: ok
; Branches reach -128..+127; brl and per reach the whole bank.
org $008000
Back:
	fill 126
	bra Back
	bne Fwd
	fill 127
Fwd:
	brl Back
	per Back
	brl $008000
