; expect: error Eunclosed_if
org $008000
if 1
	nop
