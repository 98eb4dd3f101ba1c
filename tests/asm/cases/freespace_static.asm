; expect: ok
; rom: lorom-1m
org $008000
	autoclean jsl Fixed
freecode static
Fixed:
	nop
	rtl
