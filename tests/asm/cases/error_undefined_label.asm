; expect: error Elabel_not_found
org $008000
	jsr Nowhere
