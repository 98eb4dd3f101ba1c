; expect: ok
; datasize(label) is the distance to the next label.
org $008000
Main:
	lda #datasize(Table)
	lda #datasize(Main)
Table:
	db $00,$01,$02
Other:
	db $FF
End:
