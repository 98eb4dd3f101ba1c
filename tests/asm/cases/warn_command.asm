; expect: ok
; warnings: Wwarn_command
org $008000
	nop
warn "careful: ", hex(pc())
