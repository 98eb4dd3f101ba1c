; expect: error Emisplaced_endif
org $008000
	nop
endif
