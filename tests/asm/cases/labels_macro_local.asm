; expect: ok
; ?labels are local to one macro call.
macro wait(n)
	ldx.b #<n>
?loop:
	dex
	bne ?loop
	bra ?+
	nop
?+
endmacro
org $008000
	%wait(3)
	%wait(5)
