; expect: ok
; A trailing backslash joins the next line (whitespace after it is dropped).
org $008000
	lda \
		$7F0000
function f(x) = (x*4)\
	+1
	db f(2)
