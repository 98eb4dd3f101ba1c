; expect: ok
; rom: lorom-1m
;
; New dialogue for an NPC: the game's own character encoding set up with 'c' = value
; assignments, messages as strings with control codes, a pointer table, a struct describing
; the message box state in WRAM, and the text engine hook in its own namespace.

asar 1.90
lorom
optimize dp always
optimize address mirrors

;--------------------------------------------------------------------------------------------
; the game's font: A-Z at $00, a-z at $1A, digits at $34, punctuation after
;--------------------------------------------------------------------------------------------
'A' = $00
'B' = $01
'C' = $02
'D' = $03
'E' = $04
'F' = $05
'G' = $06
'H' = $07
'I' = $08
'J' = $09
'K' = $0A
'L' = $0B
'M' = $0C
'N' = $0D
'O' = $0E
'P' = $0F
'Q' = $10
'R' = $11
'S' = $12
'T' = $13
'U' = $14
'V' = $15
'W' = $16
'X' = $17
'Y' = $18
'Z' = $19
'a' = $1A
'b' = $1B
'c' = $1C
'd' = $1D
'e' = $1E
'f' = $1F
'g' = $20
'h' = $21
'i' = $22
'j' = $23
'k' = $24
'l' = $25
'm' = $26
'n' = $27
'o' = $28
'p' = $29
'q' = $2A
'r' = $2B
's' = $2C
't' = $2D
'u' = $2E
'v' = $2F
'w' = $30
'x' = $31
'y' = $32
'z' = $33
'0' = $34
'1' = $35
'2' = $36
'3' = $37
'4' = $38
'5' = $39
'6' = $3A
'7' = $3B
'8' = $3C
'9' = $3D
' ' = $FF
'.' = $3E
',' = $3F
'!' = $40
'?' = $41
'-' = $42
''' = $43

; control codes
!NL     = $7F               ; new line
!WAIT   = $7E               ; wait for a button
!NAME   = $6A               ; player's name
!END    = $7D               ; end of message
!SPEED  = $7C               ; followed by a speed byte

;--------------------------------------------------------------------------------------------
; message box state in WRAM
;--------------------------------------------------------------------------------------------
struct MsgBox $7E1CD0
	.Pointer: skip 3        ; current text pointer
	.Line: skip 1           ; 0-2
	.Column: skip 1
	.Speed: skip 1
	.Delay: skip 1
	.Flags: skip 1
endstruct

;--------------------------------------------------------------------------------------------
; vanilla hooks
;--------------------------------------------------------------------------------------------
org $0EEE10                 ; message id -> pointer lookup
	autoclean jsl Text_LookupMessage
	nop

org $0EF00C                 ; per-character draw
	autoclean jsl Text_CharacterHook

;--------------------------------------------------------------------------------------------
; text engine additions
;--------------------------------------------------------------------------------------------
namespace Text

freecode
prot Messages

FirstNewMessage = $0190

LookupMessage:
	; A (16-bit) = message id
	rep #$30
	cmp.w #FirstNewMessage
	bcc .vanilla
	sec
	sbc.w #FirstNewMessage
	cmp.w #(Messages_Pointers_End-Messages_Pointers)/3
	bcs .vanilla
	sta.b $00
	asl
	clc
	adc.b $00               ; id*3
	tax
	lda.l Messages_Pointers,x
	sta.l MsgBox.Pointer
	sep #$20
	lda.l Messages_Pointers+2,x
	sta.l MsgBox.Pointer+2
	lda.b #$00
	sta.l MsgBox.Line
	sta.l MsgBox.Column
	sec                     ; handled
	rtl
.vanilla
	sep #$20
	clc
	rtl

CharacterHook:
	; A = character code; handle the speed control code, pass the rest on
	cmp.b #!SPEED
	bne .normal
	jsr ReadNextByte
	sta.l MsgBox.Speed
	sta.l MsgBox.Delay
	sec
	rtl
.normal
	cmp.b #!NL
	bne +
	lda.l MsgBox.Line
	inc
	sta.l MsgBox.Line
	lda.b #$00
	sta.l MsgBox.Column
	sec
	rtl
+	pha
	lda.l MsgBox.Column
	inc
	sta.l MsgBox.Column
	pla
	clc
	rtl

ReadNextByte:
	rep #$20
	lda.l MsgBox.Pointer
	inc
	sta.l MsgBox.Pointer
	sta.b $00
	sep #$20
	lda.l MsgBox.Pointer+2
	sta.b $02
	lda.b [$00]
	rts

namespace off

;--------------------------------------------------------------------------------------------
; messages
;--------------------------------------------------------------------------------------------
freedata

Messages:
.Pointers:
	dl .Hello, .Shop, .Riddle, .Count
..End

.Hello:
	db "Hello, ", !NAME, "!", !NL
	db "It's dangerous to go", !NL
	db "alone. Take this.", !WAIT, !END
.Shop:
	db !SPEED, $02, "Bombs - 10 rupees", !NL
	db "Arrows - 30 rupees", !NL
	db "Buy something?", !WAIT, !END
.Riddle:
	db "What has keys but", !NL
	db "can't open locks?", !WAIT
	db !SPEED, $00, "A piano.", !END
.Count:
	db "0123456789", !END

assert read1($00FFD5)&$01 == 0, "this patch expects a LoROM game"
assert 'A' == $00 && 'z' == $33
assert Messages_Pointers_End-Messages_Pointers == 12

print "message text: ", dec(Messages_Count-Messages_Hello+11), " bytes"
