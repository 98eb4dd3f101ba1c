; expect: ok
; rom: lorom-1m
;
; A small "quality of life" patch in the style of A Link to the Past hacks: hooks into the
; vanilla LoROM game with org + JSL into freespace, every hook autocleaned so the patch can be
; applied again, pushpc/pullpc to keep hooks beside the code they call, RAM addresses as
; labels, a jump table and a few option defines.

asar 1.90
lorom

optimize dp always
optimize address mirrors

;--------------------------------------------------------------------------------------------
; options
;--------------------------------------------------------------------------------------------
!HealthRegen = 1            ; refill hearts slowly while standing still
!RegenDelay = $3C           ; frames between refills
!FastText = 1               ; text boxes scroll at full speed
!StartingRupees = 100
!MaxBombs = 30

;--------------------------------------------------------------------------------------------
; vanilla RAM
;--------------------------------------------------------------------------------------------
FrameCounter    = $7E001A
Module          = $7E0010
Submodule       = $7E0011
Joypad1High     = $7E00F0
Joypad1Pressed  = $7E00F4
LinkY           = $7E0020
LinkX           = $7E0022
LinkState       = $7E005D
LinkDirection   = $7E002F
TextSpeed       = $7E1CE9
CurrentHealth   = $7EF36D
MaxHealth       = $7EF36C
Rupees          = $7EF360
RupeesGoal      = $7EF362
Bombs           = $7EF343
BombCapacity    = $7EF370
SaveSlotFlags   = $7EF3C5

; free RAM used by this patch
RegenTimer      = $7E0B90
StillFrames     = $7E0B91
PatchFlags      = $7E0B92

;--------------------------------------------------------------------------------------------
; vanilla routines we call
;--------------------------------------------------------------------------------------------
Sound_SetSfx2   = $0DBB67
Link_Refill     = $07F1A0
HUD_Update      = $0DFAFA

;--------------------------------------------------------------------------------------------
; hooks
;--------------------------------------------------------------------------------------------
org $008056                 ; main loop, after the frame counter increments
	autoclean jsl MainLoopHook
	nop

org $02A0BE                 ; overworld module init: new game defaults
	autoclean jsl NewGameDefaults
	nop #2

org $0EF1A8                 ; text renderer speed byte
if !FastText
	db $00
endif

org $0985E2                 ; bomb capacity check
	lda.l BombCapacity
	cmp.b #!MaxBombs
	bcc +
	lda.b #!MaxBombs
+	sta.l BombCapacity

pushpc
org $07A1A4                 ; Link's hurt routine: remember when he was hit
	autoclean jsl OnLinkHurt
	nop
pullpc

;--------------------------------------------------------------------------------------------
; new code
;--------------------------------------------------------------------------------------------
freecode
prot RegenTable, ModuleTable

MainLoopHook:
	; replaced vanilla code
	inc FrameCounter
	lda Module
	asl
	tax
	jsr (ModuleDispatch,x)
	rtl

ModuleDispatch:
	dw .nothing             ; 00 intro
	dw .nothing             ; 01 file select
	dw .nothing             ; 02 copy file
	dw .nothing             ; 03 erase file
	dw .nothing             ; 04 name file
	dw .nothing             ; 05 load file
	dw .nothing             ; 06 pre-dungeon
	dw .dungeon             ; 07 dungeon
	dw .nothing             ; 08 pre-overworld
	dw .overworld           ; 09 overworld
	dw .nothing             ; 0A pre-overworld (special)
	dw .overworld           ; 0B overworld (special)
.nothing
	rts
.dungeon
.overworld
	lda Submodule
	bne .nothing
	jsr TrackStillness
if !HealthRegen
	jsr HealthRegen
endif
	rts

TrackStillness:
	lda Joypad1High
	and #$0F
	bne .moving
	lda StillFrames
	cmp #$FF
	beq .done
	inc
	sta StillFrames
.done
	rts
.moving
	stz StillFrames
	rts

HealthRegen:
	lda StillFrames
	cmp #!RegenDelay
	bcc .return
	dec RegenTimer
	bpl .return
	lda #!RegenDelay
	sta RegenTimer
	lda CurrentHealth
	cmp MaxHealth
	bcs .return
	; refill amount depends on how many hearts Link has
	lda MaxHealth
	lsr #3
	tax
	lda CurrentHealth
	clc
	adc.l RegenTable,x
	cmp MaxHealth
	bcc +
	lda MaxHealth
+	sta CurrentHealth
	lda #$0D                ; heart beep
	jsl Sound_SetSfx2
.return
	rts

OnLinkHurt:
	; replaced vanilla code
	lda #$01
	sta LinkState
	stz StillFrames
	lda #$00
	sta RegenTimer
	rtl

NewGameDefaults:
	rep #$20
	lda.w #!StartingRupees
	sta Rupees
	sta RupeesGoal
	sep #$20
	lda #$0A
	sta BombCapacity
	lda #$01
	tsb PatchFlags
	jsl HUD_Update
	rtl

freedata
RegenTable:
	; hearts/8 -> refill amount in 1/8 hearts
	db $02, $02, $04, $04, $04, $06, $06, $06
	db $08, $08, $08, $08, $08, $08, $08, $08
	db $08, $08, $08, $08, $08

ModuleTable:
	; human readable names, handy in a debugger
	db "INTRO", $00
	db "FILESELECT", $00
	db "DUNGEON", $00
	db "OVERWORLD", $00
.End

;--------------------------------------------------------------------------------------------
; sanity checks
;--------------------------------------------------------------------------------------------
assert ModuleTable_End-ModuleTable == 35, "module names changed size"
assert datasize(RegenTable) == 21
assert !MaxBombs <= 50, "the HUD only has two digits for bombs"

print "main loop hook at $", hex(MainLoopHook)
print "freespace used: ", freespaceuse
