; expect: ok
; #Label: defines a main label without starting a new sublabel group.
org $008000
Main:
	nop
#Helper:
	nop
.Sub:
	nop
	dw Helper, Main_Sub
