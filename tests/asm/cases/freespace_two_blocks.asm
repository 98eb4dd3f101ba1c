; expect: ok
; rom: lorom-1m
; Two freespace blocks; references between them are 24-bit.
org $008000
	autoclean jsl First
freecode
prot Second
First:
	lda Second
	rtl
freedata
Second:
	db $AA,$BB
