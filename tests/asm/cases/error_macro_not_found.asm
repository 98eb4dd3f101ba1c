; expect: error Emacro_not_found
org $008000
	%nothing_here()
