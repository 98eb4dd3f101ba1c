; expect: ok
; rom: lorom-1m
org $0090A0
	autoclean dl Table
freedata
Table:
	db $10,$20,$30,$40
	dw Table, Table_End
.End
