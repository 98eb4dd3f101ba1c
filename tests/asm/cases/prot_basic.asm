; expect: ok
; rom: lorom-1m
; prot (right after freecode) writes a PROT entry so the data block is cleaned with the code.
org $008000
	autoclean jsl Code
freecode
prot Data1, Data2
Code:
	lda Data1
	lda Data2
	rtl
freedata
Data1:
	db $11,$22
freedata
Data2:
	db $33,$44
