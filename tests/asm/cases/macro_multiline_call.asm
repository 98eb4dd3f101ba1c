; expect: ok
; A trailing comma continues the call on the next line.
macro three(a, b, c)
	db <a>, <b>, <c>
endmacro
org $008000
	%three($01,
		$02,
		$03)
