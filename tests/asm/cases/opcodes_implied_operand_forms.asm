; expect: ok
; brk/cop/wdm without an operand still write a zero signature byte.
org $008000
	brk
	cop
	wdm
	brk #$01
