; expect: error Edefine_not_found
org $008000
	lda !undefined_thing
