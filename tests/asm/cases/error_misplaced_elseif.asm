; expect: error Emisplaced_elseif
org $008000
	nop
elseif 1
	nop
