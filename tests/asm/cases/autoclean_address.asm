; expect: ok
; warnings: Wfreespace_leaked
; rom: lorom-1m
; autoclean with a bare address only registers the block for cleaning; nothing is written here.
org $008000
	jsl Routine
	autoclean Routine
freecode
Routine:
	rtl
