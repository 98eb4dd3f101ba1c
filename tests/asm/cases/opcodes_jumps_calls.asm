; expect: ok
; Jumps, calls and returns in every addressing mode.
org $008000
	jmp $1234           ; absolute
	jmp ($1234)         ; (absolute)
	jmp ($1234,x)       ; (absolute,X)
	jml [$1234]         ; [absolute]
	jml $123456         ; long
	jsr $1234           ; absolute
	jsr ($1234,x)       ; (absolute,X)
	jsl $123456         ; long
	rts                 ; implied
	rtl                 ; implied
	rti                 ; implied
