; expect: ok
; Immediate width comes from the literal's digits (hex/binary) or value (decimal),
; never from the processor flags; values are truncated silently.
org $008000
	lda #$1
	lda #$12
	lda #$012
	lda #$0012
	lda #255
	lda #256
	lda #%1
	lda #%100000000
	lda #'a'
	lda #$FF+1
	lda #-1
	lda #$123456
	ldx #$10
	ldy #$1000
	cpx #300
	bit #$80
