; expect: error Emacro_wrong_num_params
macro two(a, b)
	db <a>, <b>
endmacro
org $008000
	%two(1)
