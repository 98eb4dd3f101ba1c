; expect: ok
; rom: lorom-1m
;
; Macro-heavy graphics upload code: the DMA macros live in an included file, the graphics,
; palette and tilemap are incbin'd into freespace, a variadic macro builds a table of
; upload jobs, and a for loop generates a gradient palette. Hooks the vanilla NMI.

asar 1.90
lorom
optimize dp always
optimize address mirrors

incsrc "dma_graphics/dma_macros.asm"
incsrc "dma_graphics/dma_macros.asm"        ; includeonce makes the second one harmless

!IconVram = $5800
!MapVram = $6000
!IconPalette = $70
!ScratchRam = $7F8000

NmiFlag = $7E0012
UploadRequest = $7E0B98

;--------------------------------------------------------------------------------------------
; hooks
;--------------------------------------------------------------------------------------------
org $0080C9                 ; vanilla NMI entry
	autoclean jml NmiHook
NmiReturn:

org $028364                 ; after the overworld loads: ask for the icons
	autoclean jsl RequestIcons

;--------------------------------------------------------------------------------------------
; code
;--------------------------------------------------------------------------------------------
freecode
prot IconGfx, GradientPalette

NmiHook:
	%save_regs()
	lda.b #$80
	sta.w INIDISP           ; force blank during uploads
	lda UploadRequest
	beq .none
	jsr RunUploadJobs
	stz UploadRequest
.none
	%restore_regs()
	; replaced vanilla code
	rep #$30
	pha
	jml NmiReturn

RequestIcons:
	lda #$01
	sta UploadRequest
	rtl

; Each job: source (24-bit), VRAM/CGRAM address (16-bit), size (16-bit), kind (8-bit).
RunUploadJobs:
	phk
	plb
	ldy.w #$0000
.next
	lda.w UploadJobs+7,y
	bpl +
	jmp .done
+	beq .vram
	cmp.b #$01
	beq .cgram
	bra .wram
.vram
	%dma_to_vram(!IconVram, IconGfx, IconGfx_End-IconGfx)
	bra .advance
.cgram
	%dma_to_cgram(!IconPalette, GradientPalette, GradientPalette_End-GradientPalette)
	bra .advance
.wram
	%dma_to_wram(!ScratchRam, TitleMap, TitleMap_End-TitleMap)
.advance
	rep #$20
	tya
	clc
	adc.w #8
	tay
	sep #$20
	brl .next
.done
	%dma_fill_vram(!MapVram, ZeroWord, $0800)
	rts

ZeroWord:
	dw $0000

; Draw the icon row into the WRAM tilemap buffer: one 16-bit entry per icon, palette 7,
; priority set, with a blank gap after every fourth icon.
!HudBuffer = $7EC700
!IconCount = 10

DrawIconRow:
	php
	rep #$30
	ldx.w #$0000
	ldy.w #$0000
.loop
	tya
	and.w #$0003
	cmp.w #$0003
	bne .icon
	lda.w #$207F            ; blank tile
	sta.l !HudBuffer,x
	inx
	inx
.icon
	tya
	asl
	ora.w #$3C00|(!IconVram>>4)
	sta.l !HudBuffer,x
	inx
	inx
	iny
	cpy.w #!IconCount
	bcc .loop
	plp
	rtl

; Fade the icon palette towards black: A = step (0-31), 8-bit.
FadeIcons:
	php
	sep #$20
	sta.w $4202             ; multiplicand
	ldx.w #$0000
-	lda.l GradientPalette,x
	and.b #$1F
	sta.w $4203             ; multiply red by step
	nop #4
	lda.w $4217             ; high byte of the product = red*step/256
	sta.l !ScratchRam+$100,x
	inx
	inx
	cpx.w #GradientPalette_End-GradientPalette
	bcc -
	plp
	rtl

macro upload_jobs(...)
	!job #= 0
	while !job < sizeof(...)
		dl <...[!job]>
		dw $0000, $0000
		db !job
		!job #= !job+1
	endwhile
	db $FF
endmacro

UploadJobs:
	%upload_jobs(IconGfx, GradientPalette, TitleMap)

;--------------------------------------------------------------------------------------------
; data
;--------------------------------------------------------------------------------------------
freedata
IconGfx:
	incbin "dma_graphics/gfx/hud_icons.4bpp"
.End

GradientPalette:
	incbin "dma_graphics/gfx/hud_icons.pal":0..8
	for i = 4..16
		dw (!i*2)|((31-!i*2)<<5)|(!i<<10)
	endfor
.End

TitleMap:
	incbin "dma_graphics/gfx/title_map.bin"
.End

assert GradientPalette_End-GradientPalette == 32, "a palette row is 16 colours"
assert filesize("dma_graphics/gfx/hud_icons.4bpp") == $800
print "icons: ", dec(IconGfx_End-IconGfx), " bytes at $", hex(IconGfx)
