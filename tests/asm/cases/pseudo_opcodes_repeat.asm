; expect: ok
; nop #3 assembles three nops; likewise inx/dex/iny/dey/inc/dec/asl/lsr/rol/ror.
org $008000
	nop #3
	inx #2
	dey #2
	asl #4
	inc #1
	lsr #0
