; expect: ok
org $008000
Main:
	jsr Routine
	bra Main
incsrc "incsrc_basic/routine.asm"
	dw Routine
