; expect: error Eunknown_command
; jsr has no 24-bit form, so jsr.l is an unknown command.
org $008000
	jsr.l $008000
