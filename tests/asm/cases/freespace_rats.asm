; expect: ok
; rom: lorom-1m
; freespace writes a RATS tag ("STAR", size-1, complement) before the block.
org $008000
	autoclean jsl NewCode
freespace ram
NewCode:
	lda #$01
	sta $7E0010
	rtl
