; expect: ok
; rom: lorom-1m
; warnings: Woptimization_settings
;
; A custom sprite: RAM layouts described with structs (one slot per sprite, accessed as
; struct arrays), a state machine through a jump table, +/- and macro-local labels, a
; routine assembled for WRAM with base and copied there at boot, and the optimizer left at
; asar 1.91's defaults (so asar warns where 2.0 would size differently).

asar 1.90
lorom

!SpriteSlots = 16
!CustomSpriteId = $D6

;--------------------------------------------------------------------------------------------
; RAM layouts
;--------------------------------------------------------------------------------------------
struct Spr $7E0D00          ; sprite tables, structure of arrays in the real game,
	.YLow: skip 1           ; modelled here as one record per slot
	.XLow: skip 1
	.YHigh: skip 1
	.XHigh: skip 1
	.State: skip 1
	.Timer: skip 1
	.Health: skip 1
	.Id: skip 1
endstruct align 8

struct Link $7E0020
	.Y: skip 2
	.X: skip 2
endstruct

struct Hud $7EF340
	.Bow: skip 1
	.Boomerang: skip 1
	.Hookshot: skip 1
	.Bombs: skip 1
endstruct

WramRoutine = $7E1F00
CopySource = $7E0000

;--------------------------------------------------------------------------------------------
; macros
;--------------------------------------------------------------------------------------------
macro move_towards(axis, target)
	lda.l Spr[0].<axis>,x
	cmp.l <target>
	beq ?done
	bcs ?greater
	inc
	bra ?store
?greater:
	dec
?store:
	sta.l Spr[0].<axis>,x
?done:
endmacro

macro set_state(state)
	lda.b #<state>
	sta.l Spr[0].State,x
	lda.b #$00
	sta.l Spr[0].Timer,x
endmacro

;--------------------------------------------------------------------------------------------
; hooks
;--------------------------------------------------------------------------------------------
org $06C0B5                 ; sprite main dispatch: handle our id
	autoclean jsl SpriteDispatch
	nop

org $0080A0                 ; boot: copy the WRAM routine
	autoclean jsl CopyWramRoutine

;--------------------------------------------------------------------------------------------
; code
;--------------------------------------------------------------------------------------------
freecode
prot WramRoutineSource

SpriteDispatch:
	; X = slot * 8 (record offset)
	lda.l Spr[0].Id,x
	cmp.b #!CustomSpriteId
	beq +
	; replaced vanilla code
	lda.l Spr[0].State,x
	rtl
+	phb
	phk
	plb
	lda.l Spr[0].State,x
	asl
	tay
	rep #$20
	lda.w .States,y
	sta.b $00
	sep #$20
	jsr .Call               ; the state routine returns to us with rts
	plb
	lda.b #$00
	rtl
.Call
	jmp ($0000)
.States
	dw State_Idle
	dw State_Chase
	dw State_Hurt
	dw State_Dead

State_Idle:
	; only wake up when Link is on the same 256-pixel column (unsized RAM access:
	; long in 1.91, direct page under the 2.0 defaults -> Woptimization_settings)
	lda Link.X+1
	cmp.l Spr[0].XHigh,x
	bne .wait
	lda.l Spr[0].Timer,x
	inc
	sta.l Spr[0].Timer,x
	cmp.b #$40
	bcc .wait
	%set_state(1)
.wait
	rts

State_Chase:
	%move_towards(XLow, Link.X)
	%move_towards(YLow, Link.Y)
	lda.l Spr[0].Health,x
	bne +
	%set_state(3)
	rts
+	cmp.b #$04
	bcs +
	%set_state(2)
+	rts

State_Hurt:
	lda.l Spr[0].Timer,x
	inc
	sta.l Spr[0].Timer,x
	and.b #$07
	bne ++
	lda.l Spr[0].XLow,x
	eor.b #$01              ; shake
	sta.l Spr[0].XLow,x
++	lda.l Spr[0].Timer,x
	cmp.b #$20
	bcc +
	%set_state(1)
+	rts

State_Dead:
	lda.b #$00
	sta.l Spr[0].Id,x
	lda Hud.Bombs
	clc
	adc.b #$05
	sta Hud.Bombs
	rts

CopyWramRoutine:
	; replaced vanilla code
	sei
	rep #$30
	ldx.w #WramRoutineSource
	ldy.w #WramRoutine
	lda.w #WramRoutineSourceEnd-WramRoutineSource-1
	mvn $7E,bank(WramRoutineSource)
	sep #$30
	phk
	plb
	rtl

freedata
WramRoutineSource:
base WramRoutine
	; counts live custom sprites; runs from WRAM so it can be patched at run time
CountSprites:
	php
	sep #$30
	ldy.b #$00
	ldx.b #(!SpriteSlots-1)*8
-	lda.l Spr[0].Id,x
	cmp.b #!CustomSpriteId
	bne +
	iny
+	txa
	sec
	sbc.b #8
	tax
	bpl -
	tya
	plp
	rtl
.End
base off
WramRoutineSourceEnd:

assert sizeof(Spr) == 8 && objectsize(Spr) == 8
assert Spr[3].Health == $7E0D1E
assert WramRoutineSourceEnd-WramRoutineSource == CountSprites_End-CountSprites
assert CountSprites_End <= $7E2000, "the WRAM routine overlaps the stack"
print "WRAM routine: ", dec(CountSprites_End-CountSprites), " bytes at $", hex(CountSprites)
print "freespace used: ", freespaceuse
