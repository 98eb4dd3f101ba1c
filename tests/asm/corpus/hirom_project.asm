; expect: ok
; rom: hirom-1m
;
; A HiROM patch: the ROM header says map mode $21, but asar 1.91 must still be told "hirom".
; Hooks are written both through the $C0-$FF view and the $00-$3F:8000 mirrors, a small math
; library is incsrc'd into freespace (twice, the second skipped by includeonce), user
; functions compute fixed-point tables and colours, and a sine table is generated with
; while and the math functions. asar places HiROM freecode near the end of a bank half.

asar 1.90
hirom
optimize dp always
optimize address mirrors

!Version = 3
!ObjCount = 8

Frame = $7E0014
ObjAngle = $7E0200          ; one byte per object
ObjSpeed = $7E0210          ; one 8.8 word per object
ObjX = $7E0230
ObjY = $7E0250

;--------------------------------------------------------------------------------------------
; header patch: bump the version byte
;--------------------------------------------------------------------------------------------
org $C0FFDB
	db !Version

;--------------------------------------------------------------------------------------------
; hooks
;--------------------------------------------------------------------------------------------
org $C08A40                 ; game loop (through the HiROM view)
	autoclean jsl UpdateObjects
	nop #2

org $008B10                 ; same bank through the LoROM-style mirror ($00:8B10 = $C0:8B10)
	autoclean jml InitObjects
InitReturn:

;--------------------------------------------------------------------------------------------
; code
;--------------------------------------------------------------------------------------------
freecode
prot SineTable, Palette

incsrc "hirom_project/mathlib.asm"
incsrc "hirom_project/mathlib.asm"     ; skipped: includeonce

InitObjects:
	rep #$30
	ldx.w #(!ObjCount-1)*2
-	txa
	asl #4                  ; angle = index*32
	sep #$20
	sta.l ObjAngle,x
	rep #$20
	lda.l SpeedTable,x
	sta.l ObjSpeed,x
	lda.w #$0080
	sta.l ObjX,x
	sta.l ObjY,x
	dex
	dex
	bpl -
	sep #$30
	jml InitReturn

UpdateObjects:
	php
	rep #$10
	sep #$20
	ldx.w #(!ObjCount-1)*2
.loop
	; angle += 1 every frame
	lda.l ObjAngle,x
	inc
	sta.l ObjAngle,x
	; x += sin(angle) * speed / 256
	phx
	rep #$20
	and.w #$00FF
	asl
	tax
	lda.l SineTable,x
	plx
	sep #$20
	ldy.w #$0000
	xba
	tay
	lda.l ObjSpeed+1,x
	jsl Math_Multiply8
	rep #$20
	clc
	adc.l ObjX,x
	sta.l ObjX,x
	sep #$20
	dex
	dex
	bpl .loop
	plp
	rtl

; Upload the palette to CGRAM colours $80-$8F during NMI (DMA channel 1).
UploadPalette:
	php
	sep #$20
	rep #$10
	lda.b #$80
	sta.l $002121           ; CGADD
	lda.b #$00
	sta.l $004310           ; DMAP1: one register, increment
	lda.b #$22
	sta.l $004311           ; BBAD1: CGDATA
	ldx.w #Palette
	stx.w $4312
	lda.b #bank(Palette)
	sta.l $004314
	ldx.w #Palette_End-Palette
	stx.w $4315
	lda.b #$02
	sta.l $00420B           ; MDMAEN channel 1
	plp
	rtl

; HDMA gradient for the sky: line count, colour (for COLDATA) pairs, terminated by 0.
SkyGradient:
	for line = 0..8
		db $0C, $E0|(31-!line*2)
	endfor
	db $00

SpeedTable:
	dw fx(0.5), fx(0.75), fx(1.0), fx(1.25)
	dw fx(1.5), fx(2.0), fx(2.5), fx(3.0)

;--------------------------------------------------------------------------------------------
; data
;--------------------------------------------------------------------------------------------
freedata
SineTable:
	; 256 entries of sin(2*pi*i/256) in signed 8.8
	!i = 0
	while !i < 256
		dw round(sin(!i*3.14159265358979/128)*256, 0)&$FFFF
		!i #= !i+1
	endwhile
.End

Palette:
	dw rgb15(0, 0, 0), rgb15(255, 255, 255), rgb15(248, 0, 0), rgb15(0, 248, 0)
	dw rgb15(0, 0, 248), rgb15(248, 248, 0), rgb15(0, 248, 248), rgb15(248, 0, 248)
	for c = 0..8
		dw rgb15(!c*32, !c*32, !c*32)
	endfor
.End

;--------------------------------------------------------------------------------------------
; checks
;--------------------------------------------------------------------------------------------
assert SineTable_End-SineTable == 512
assert Palette_End-Palette == 32
assert read1($C0FFD5) == $21, "not a HiROM ROM"
assert snestopc($C08A40) == snestopc($008A40)
assert bank(SineTable) >= $C0, "data lives in the HiROM banks"
assert fx(1.5) == $0180

print "HiROM project v", dec(!Version), ": sine table at $", hex(SineTable)
print "freespace used: ", freespaceuse
