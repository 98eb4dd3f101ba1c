; expect: ok
; rom: lorom-1m
; freedata align starts the block at the beginning of a bank.
org $008000
	autoclean dl Aligned
freedata align
Aligned:
	db $01,$02,$03
