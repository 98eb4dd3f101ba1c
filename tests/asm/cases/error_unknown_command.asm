; expect: error Eunknown_command
; A label definition needs its colon; a bare word is an unknown command.
org $008000
Start
	nop
