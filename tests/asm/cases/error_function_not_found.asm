; expect: error Efunction_not_found
org $008000
	db frobnicate(1)
