; fixed-point helpers for the HiROM project (incsrc'd)
includeonce

; 8.8 fixed point literal
function fx(value) = round(value*256, 0)
; SNES colour from 8-bit components
function rgb15(r, g, b) = ((b>>3)<<10)|((g>>3)<<5)|(r>>3)

WRMPYA = $4202
WRMPYB = $4203
RDMPYL = $4216
WRDIVL = $4204
WRDIVB = $4206
RDDIVL = $4214

; A (8-bit) * Y (8-bit) -> A (16-bit). Destroys nothing else.
Math_Multiply8:
	php
	sep #$20
	sta.l WRMPYA
	tya
	sta.l WRMPYB
	nop #4
	rep #$20
	lda.l RDMPYL
	plp
	rtl

; A (16-bit) / X (8-bit) -> A quotient (16-bit)
Math_Divide:
	php
	rep #$20
	sta.l WRDIVL
	sep #$20
	txa
	sta.l WRDIVB
	nop #8
	rep #$20
	lda.l RDDIVL
	plp
	rtl
