; expect: error Emodulo_by_zero
org $008000
	db 10%0
