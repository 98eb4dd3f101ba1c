; expect: error Emacro_param_not_found
macro m(a)
	db <b>
endmacro
org $008000
	%m(1)
