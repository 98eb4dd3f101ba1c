; expect: ok
macro table(first, ...)
	db <first>
	if sizeof(...) > 0
		db <...[0]>
	endif
	if sizeof(...) > 1
		db <...[sizeof(...)-1]>
	endif
endmacro
org $008000
	%table(1)
	%table(2, 3)
	%table(4, 5, 6, 7)
