; expect: error Eautoclean_in_freespace
; warnings: Wfreespace_leaked
; rom: lorom-1m
org $008000
	autoclean jsl A
freecode
A:
	autoclean jsl B
	rtl
freecode
B:
	rtl
