; expect: error Eprot_not_at_freespace_start
; warnings: Wfreespace_leaked
; rom: lorom-1m
org $008000
	autoclean jsl Code
freecode
Code:
	nop
prot Data
	rtl
freedata
Data:
	db 1
