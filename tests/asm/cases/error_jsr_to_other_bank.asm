; expect: error Eunknown_command
; A label in another bank makes the operand 24-bit; jsr has no 24-bit form, and asar
; reports that as an unknown command.
org $008000
	jsr Far
org $018000
Far:
	rtl
