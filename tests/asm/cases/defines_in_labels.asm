; expect: ok
!prefix = Sprite
org $008000
!{prefix}_Init:
	rts
	jsr !{prefix}_Init
	dw Sprite_Init
