; expect: ok
macro inner(v)
	db <v>
endmacro
macro outer(v)
	%inner(<v>)
	%inner(<v>+1)
endmacro
org $008000
	%outer($10)
	%outer($20)
