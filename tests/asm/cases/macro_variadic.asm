; expect: ok
; <...[i]> reads variadic arguments, sizeof(...) counts them.
macro bytes(...)
	db sizeof(...)
	!i #= 0
	while !i < sizeof(...)
		db <...[!i]>
		!i #= !i+1
	endwhile
endmacro
org $008000
	%bytes(1, 2, 3)
	%bytes($AA)
