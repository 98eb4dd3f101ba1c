; expect: ok
; rom: lorom-1m
check title "TRIFORCE VANILLA LO  "
org $008000
	nop
