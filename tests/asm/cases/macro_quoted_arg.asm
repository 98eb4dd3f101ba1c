; expect: ok
; A quoted argument may contain spaces and single-line separators.
macro guarded(code)
	php
	<code>
	plp
endmacro
org $008000
	%guarded("lda #$01 : sta $10")
