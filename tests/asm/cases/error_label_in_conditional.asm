; expect: error Elabel_in_conditional
; Labels that can move between passes may not be used in if.
org $008000
Code:
	nop
if Code == $008000
	db 1
endif
