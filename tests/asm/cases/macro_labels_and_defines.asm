; expect: ok
macro routine(name)
<name>:
	lda #$01
	rts
endmacro
org $008000
	%routine(FirstRoutine)
	%routine(SecondRoutine)
	jsr FirstRoutine
	jsr SecondRoutine
