; expect: error Eunknown_operator
; 0x... is not an asar number literal.
org $008000
	dl 0x123456
