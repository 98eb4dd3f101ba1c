; expect: error Emacro_redefined
macro m()
	nop
endmacro
macro m()
	nop
endmacro
