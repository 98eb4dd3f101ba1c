; expect: ok
; rom: lorom-1m
; warnings: Wfreespace_leaked
; A freespace block nothing autocleans leaks on every re-application.
org $008000
	jsl Leaky
freecode
Leaky:
	rtl
