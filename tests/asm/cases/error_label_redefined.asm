; expect: error Elabel_redefined
org $008000
Twice:
	nop
Twice:
	nop
