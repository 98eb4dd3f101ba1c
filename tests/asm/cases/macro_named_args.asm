; expect: ok
macro mov(target, source)
	lda <source>
	sta <target>
endmacro
macro swap(a, b)
	%mov($00, <a>)
	%mov(<a>, <b>)
	%mov(<b>, $00)
endmacro
org $008000
	%mov($10, #$05)
	%swap($01, $02)
