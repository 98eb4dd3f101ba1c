; expect: ok
; norom: SNES address == PC address; base gives code its run-time address.
norom
org $000000
	db $71,$72
org $000010
base $8000
Start:
	jmp Start
base off
	dw Start
