; expect: ok
org $008000
Main:
	lda .Data+3
	lda .Data-1,x
	ldx.w #.End-.Data
.Data
	db $00,$01,$02,$03
.End
