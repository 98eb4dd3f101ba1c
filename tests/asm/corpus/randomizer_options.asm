; expect: ok
; rom: lorom-1m
; defines: difficulty=2 seed=48879 keysanity
; warnings: Wwarn_command
;
; Randomizer-style configuration: options arrive as command-line defines (-Ddifficulty=2
; -Dseed=48879 -Dkeysanity), missing ones get defaults with ?=, conditionals pick code and
; tables, a pseudo-random item table is generated at assembly time, and the data is big
; enough that asar has to expand the 1 MiB ROM to 2 MiB to fit it.

asar 1.90
lorom
optimize dp always
optimize address mirrors

;--------------------------------------------------------------------------------------------
; options and their defaults
;--------------------------------------------------------------------------------------------
!difficulty ?= 1            ; 0 easy, 1 normal, 2 hard, 3 expert
!seed ?= 12345
!swordless ?= 0
!item_count = 64

if defined("keysanity")
	!keysanity_flag = 1
else
	!keysanity_flag = 0
endif

assert !difficulty >= 0 && !difficulty <= 3, "difficulty must be 0-3"

if !difficulty == 0
	!damage_shift = 0
	!heart_drop_rate = $40
elseif !difficulty == 1
	!damage_shift = 1
	!heart_drop_rate = $20
elseif !difficulty == 2
	!damage_shift = 2
	!heart_drop_rate = $10
else
	!damage_shift = 3
	!heart_drop_rate = $00
endif

if !difficulty >= 2
	warn "hard mode: heart drops reduced to $", hex(!heart_drop_rate)
endif

;--------------------------------------------------------------------------------------------
; vanilla addresses
;--------------------------------------------------------------------------------------------
DamageRoutine   = $06ED72
HeartDropCheck  = $06F2E5
ItemReceipt     = $0985E8
SaveRam         = $7EF000
RandoFlags      = $7EF410

;--------------------------------------------------------------------------------------------
; hooks
;--------------------------------------------------------------------------------------------
org DamageRoutine
	autoclean jsl ScaleDamage
	nop

org HeartDropCheck
	db !heart_drop_rate

org ItemReceipt
	autoclean jsl GiveRandomizedItem
	nop #2

; the internal title carries the seed as hex digits, so emulators show which seed is loaded
function hexdigit(n) = select(less(n, 10), '0'+n, 'A'+n-10)
org $00FFC0
	db "ZELDA RANDO "
	for d = 0..4
		db hexdigit((!seed>>(12-!d*4))&$F)
	endfor
	db "     "
assert pc() == $00FFD5, "the title is 21 bytes"

;--------------------------------------------------------------------------------------------
; code
;--------------------------------------------------------------------------------------------
freecode
prot ItemTable, ItemNames, HintText, CreditsBlock

ScaleDamage:
	; A = damage about to be applied
	asl #!damage_shift
	cmp.b #$40
	bcc +
	lda.b #$40              ; never more than 8 hearts at once
+	sta.b $00
	; replaced vanilla code
	lda.l SaveRam+$36D
	rtl

GiveRandomizedItem:
	; X = location index (0-63) -> item id from the generated table
	phx
	rep #$20
	txa
	and.w #!item_count-1
	tax
	sep #$20
	lda.l ItemTable,x
if !swordless
	cmp.b #$01              ; sword
	bne +
	lda.b #$36              ; twenty rupees instead
+
endif
if !keysanity_flag
	cmp.b #$24              ; small key: keep it, mark the dungeon
	bne +
	lda.l RandoFlags
	ora.b #$80
	sta.l RandoFlags
	lda.b #$24
+
endif
	plx
	sta.b $02
	rtl

;--------------------------------------------------------------------------------------------
; generated data
;--------------------------------------------------------------------------------------------
freedata
ItemTable:
	; a linear congruential generator run at assembly time: the same seed gives the same ROM
	!state #= !seed
	for n = 0..!item_count
		!state #= (!state*1103515245+12345)&$7FFFFFFF
		db ((!state>>16)%$3A)+1
	endfor
.End

ItemNames:
	db "Sword", $00, "Bow", $00, "Hookshot", $00, "Bombs", $00
	db "Lamp", $00, "Hammer", $00, "Flippers", $00, "Moon Pearl", $00
.End

; hint text and credits: large enough that asar must expand the ROM to find space
freedata
HintText:
	fillbyte $FF
	fill $6000
	db "Seek the pendants in the east.", $00
.End

freedata
CreditsBlock:
	fillbyte $20
	fill $5000
.End

org $00FFD7
	db $0B                  ; 2 MiB: asar also writes this itself when it expands the ROM

assert ItemTable_End-ItemTable == !item_count
assert bank(HintText) >= $20 || bank(CreditsBlock) >= $20, "expected an expanded ROM"

print "seed ", dec(!seed), ", difficulty ", dec(!difficulty), ", keysanity ", dec(!keysanity_flag)
print "first items: ", hex(read1(ItemTable)), " (from the old ROM: re-applying reads new bytes)"
