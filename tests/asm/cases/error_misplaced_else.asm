; expect: error Emisplaced_else
org $008000
else
	nop
