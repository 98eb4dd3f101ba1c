; expect: error Evararg_out_of_bounds
macro m(...)
	db <...[3]>
endmacro
org $008000
	%m(1, 2)
