; expect: ok
; warnings: Woptimization_settings
struct Sprite $7E0D00
	.State: skip 1
	.X: skip 2
	.Y: skip 2
	.Timer: skip 1
endstruct
org $008000
	lda Sprite.X
	sta Sprite.Timer
	dl Sprite, Sprite.State, Sprite.Y
	db sizeof(Sprite)
