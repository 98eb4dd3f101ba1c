; expect: ok
macro countdown(n)
	db <n>
	if <n> > 0
		%countdown(<n>-1)
	endif
endmacro
org $008000
	%countdown(4)
